/**
 * The bench's baseline workflows (run by the bench's own worker on a task queue of its own):
 * what Temporal costs with no application code. Deterministic, like any workflow code.
 */
import {
  condition,
  defineSignal,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';

export const noopUpdate = defineUpdate<string, [string]>('noop');
export const afterActivityUpdate = defineUpdate<string, []>('afterActivity');
export const afterLocalActivityUpdate = defineUpdate<string, []>('afterLocalActivity');
export const stopSignal = defineSignal('stop');

/** The bench worker's one activity: nothing, the stand-in for the projection's write. */
export interface NoopActivities {
  noopActivity(): Promise<void>;
}
const { noopActivity } = proxyActivities<NoopActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<NoopActivities>({ startToCloseTimeout: '30 seconds' });

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

/**
 * The Temporal pattern of a create or an action with no application code: an update answered
 * once an activity (the projection's stand-in) is done, sent with the start for a create.
 * What the engine alone costs for what the system asks of it: the floor under its figures.
 */
export async function noopAfterActivity(): Promise<void> {
  let stopped = false;
  setHandler(afterActivityUpdate, async () => {
    await noopActivity();
    return 'done';
  });
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}

/**
 * The same pattern with the activity run as a local activity (in the workflow task, on the
 * worker, recorded as a marker): the floor of a create or an action that projects that way.
 */
export async function noopAfterLocalActivity(): Promise<void> {
  let stopped = false;
  setHandler(afterLocalActivityUpdate, async () => {
    await local.noopActivity();
    return 'done';
  });
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}
