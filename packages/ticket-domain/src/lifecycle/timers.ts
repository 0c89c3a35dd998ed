import { SYSTEM_ACTOR, type SlaClockName, type TicketChange, type TicketState } from '@woop/contracts/workflow';
import { isDue, nextPriority } from './clocks';
import { moveTo, record, setPriority, touch } from './changes';
import { CLOCKS, syncClocks } from './sla';

/**
 * What time alone changes at `now`: SLA warnings, breaches (which escalate: priority one step
 * up, escalation team added, ticket flagged), the validation reminder, automatic validation
 * (RÉSOLU → TERMINÉ) and the end of the reopen window (TERMINÉ → CLÔTURÉ). One event for each.
 */
export function advanceTime(state: TicketState, now: Date): TicketChange[] {
  const changes: TicketChange[] = [];
  const at = now.toISOString();
  const actor = SYSTEM_ACTOR;
  for (const name of CLOCKS) {
    const clock = state.sla[name];
    if (isDue(clock.warningAt, now) && clock.warnedAt === undefined) {
      clock.warnedAt = at;
      record(state, now, actor, { kind: 'sla_warning', visibility: 'internal', data: { clock: name } });
      changes.push({ type: 'ticket.sla_warning', data: { ...slaData(state, name), actor } });
    }
    if (isDue(clock.breachAt, now) && clock.breachedAt === undefined) {
      clock.breachedAt = at;
      clock.warnedAt ??= at;
      const team = state.slaPolicy.escalationTeam;
      state.escalated = true;
      if (!state.escalationTeams.includes(team)) state.escalationTeams.push(team);
      record(state, now, actor, { kind: 'sla_breached', visibility: 'internal', data: { clock: name, team } });
      const data = slaData(state, name);
      const priorityChange = setPriority(state, now, actor, nextPriority(state.priority), `SLA ${name} breached`);
      changes.push({
        type: 'ticket.sla_breached',
        data: { ...data, escalationTeam: team, ...(priorityChange ? { priorityChange } : {}), actor },
      });
    }
    syncClocks(state, now);
  }
  if (state.status === 'resolved' && isDue(state.validationReminderAt, now) && !state.validationRemindedAt) {
    state.validationRemindedAt = at;
    record(state, now, actor, { kind: 'validation_reminder', visibility: 'public' });
    changes.push({
      type: 'ticket.validation_reminder',
      data: { ...(state.validationDueAt ? { validationDueAt: state.validationDueAt } : {}), actor },
    });
  }
  if (state.status === 'resolved' && isDue(state.validationDueAt, now)) {
    state.sla.resolution.metAt = at;
    const reason = 'validation window elapsed';
    const statusChange = moveTo(state, 'done', now, actor, reason);
    changes.push({ type: 'ticket.validation_window_elapsed', data: { reason, statusChange, actor } });
  } else if (state.status === 'done' && isDue(state.reopenUntil, now)) {
    const reason = 'reopen window elapsed';
    const statusChange = moveTo(state, 'closed', now, actor, reason);
    changes.push({ type: 'ticket.reopen_window_elapsed', data: { reason, statusChange, actor } });
  }
  if (changes.length > 0) touch(state, now);
  return changes;
}

/** The clock's target and deadline, and the ticket's priority when it fell due. */
function slaData(state: TicketState, name: SlaClockName) {
  const c = state.sla[name];
  return {
    clock: name,
    targetMinutes: c.targetMinutes,
    ...(c.breachAt ? { breachAt: c.breachAt } : {}),
    priority: state.priority,
  };
}
