import type { SlaClock, SlaClockName, TicketState, TicketStatus } from '@woop/contracts/workflow';
import { addBusinessMinutes, businessMinutesBetween } from '../calendar';

/** SLA clocks run only while support has the ball. */
const RUNNING_STATUSES: readonly TicketStatus[] = ['open', 'assigned', 'in_progress'];

export const CLOCKS: readonly SlaClockName[] = ['firstResponse', 'resolution'];

function shouldRun(state: TicketState, clock: SlaClock): boolean {
  return RUNNING_STATUSES.includes(state.status) && clock.metAt === undefined;
}

/**
 * Brings both clocks in line with the ticket's status at `now`: a clock that must stop banks
 * the business time it ran; one that must run starts; a running one gets its warning and
 * breach instants recomputed (targets may have changed with the priority).
 */
export function syncClocks(state: TicketState, now: Date): void {
  const cal = state.slaPolicy.calendar;
  for (const name of CLOCKS) {
    const clock = state.sla[name];
    const run = shouldRun(state, clock);
    if (clock.runningSince !== undefined && !run) {
      clock.consumedMinutes += businessMinutesBetween(cal, new Date(clock.runningSince), now);
      delete clock.runningSince;
    } else if (clock.runningSince === undefined && run) {
      clock.runningSince = now.toISOString();
    }
    delete clock.warningAt;
    delete clock.breachAt;
    if (clock.runningSince === undefined) continue;
    const since = new Date(clock.runningSince);
    if (clock.warnedAt === undefined && clock.breachedAt === undefined) {
      const left = state.slaPolicy.warningRatio * clock.targetMinutes - clock.consumedMinutes;
      clock.warningAt = addBusinessMinutes(cal, since, Math.max(0, left)).toISOString();
    }
    if (clock.breachedAt === undefined) {
      const left = clock.targetMinutes - clock.consumedMinutes;
      clock.breachAt = addBusinessMinutes(cal, since, Math.max(0, left)).toISOString();
    }
  }
}

/** New targets after a priority change, for the clocks that are still open. */
export function retarget(state: TicketState): void {
  const target = state.slaPolicy.targets[state.priority];
  if (state.sla.firstResponse.metAt === undefined && state.sla.firstResponse.breachedAt === undefined) {
    state.sla.firstResponse.targetMinutes = target.firstResponseMinutes;
  }
  if (state.sla.resolution.metAt === undefined && state.sla.resolution.breachedAt === undefined) {
    state.sla.resolution.targetMinutes = target.resolutionMinutes;
  }
}

/** Business minutes a clock has consumed up to `now` (for display and tests). */
export function consumedMinutes(state: TicketState, name: SlaClockName, now: Date): number {
  const clock = state.sla[name];
  const running =
    clock.runningSince === undefined
      ? 0
      : businessMinutesBetween(state.slaPolicy.calendar, new Date(clock.runningSince), now);
  return clock.consumedMinutes + running;
}
