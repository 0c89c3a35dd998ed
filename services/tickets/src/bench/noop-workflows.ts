/**
 * The bench's baseline workflows (run by the bench's own worker on a task queue of its own):
 * what Temporal costs with no application code. Deterministic, like any workflow code.
 */
import { condition, defineSignal, defineUpdate, setHandler, sleep } from '@temporalio/workflow';

export const noopUpdate = defineUpdate<string, [string]>('noop');
export const stopSignal = defineSignal('stop');

/** Started and done: the baseline of a create. */
export async function noopWorkflow(): Promise<void> {}

/** Waits until told to stop, answering every update at once: the baseline of an action. */
export async function noopUpdatable(): Promise<void> {
  let stopped = false;
  setHandler(noopUpdate, (arg: string) => arg);
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}

/** Sleeps until `deadline` (epoch ms) and says when it woke: the baseline of an SLA timer. */
export async function noopTimer(deadline: number): Promise<number> {
  await sleep(Math.max(1, deadline - Date.now()));
  return Date.now();
}
