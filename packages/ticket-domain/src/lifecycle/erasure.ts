import { ERASED_NAME, ERASED_TEXT, type TicketEvent, type TicketState } from '@woop/contracts/workflow';

/** Where people write: only there is a former name blanked (never in codes, ids or dates). */
const FREE_TEXT = new Set(['summary', 'description', 'fields', 'body', 'reason', 'answer', 'question', 'comment']);

/**
 * Erasure of one person from a ticket's state (the `erasePerson` update, GDPR art. 17). Every
 * object of the state that is the person (`{ id, name }`: requester, shared with, an actor, the
 * people of a share, who resolved, rejected or rated) is renamed `ERASED_NAME`; the names they had
 * (several, when renamed since) are replaced by `ERASED_TEXT` inside every string of the state
 * (summary, description, fields, comments, reasons, answers, a rating's comment). The events still waiting to be
 * published are rewritten the same way, so none carries the name after the update. Pure and
 * idempotent: a second erasure finds nothing left and changes nothing.
 *
 * Only the id comes in: the workflow does not know the person's address, which the state never
 * holds as a person's field (an address the person typed in free text stays in the state; the
 * read model blanks it from the people directory's digest, `services/tickets/src/model/people.ts`).
 */
export function erasePerson(state: TicketState, outbox: TicketEvent[], userId: string): boolean {
  const names = new Set<string>();
  collectNames(state, userId, names);
  for (const e of outbox) collectNames(e, userId, names);
  names.delete(ERASED_NAME);
  // Short names (initials) would blank unrelated words: only names of 3 characters or more.
  const patterns = [...names]
    .filter((n) => n.trim().length >= 3)
    .sort((a, b) => b.length - a.length)
    .map((n) => new RegExp(escapeRegExp(n.trim()), 'giu'));
  let changed = false;
  const walk = (value: unknown, text: boolean): unknown => {
    if (typeof value === 'string') {
      if (!text) return value;
      const next = patterns.reduce((t, re) => t.replace(re, ERASED_TEXT), value);
      if (next !== value) changed = true;
      return next;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], text);
      return value;
    }
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const isPerson = o.id === userId && typeof o.name === 'string';
      for (const k of Object.keys(o)) {
        if (isPerson && k === 'name') continue;
        o[k] = walk(o[k], text || FREE_TEXT.has(k));
      }
      if (isPerson && o.name !== ERASED_NAME) {
        o.name = ERASED_NAME;
        changed = true;
      }
      return o;
    }
    return value;
  };
  walk(state, false);
  for (const e of outbox) walk(e.data, false);
  return changed;
}

function collectNames(value: unknown, userId: string, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectNames(v, userId, into);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.id === userId && typeof o.name === 'string' && o.name) into.add(o.name);
    for (const v of Object.values(o)) collectNames(v, userId, into);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The update's validator: a request without a user id is refused (nothing recorded). */
export function validateErasure(request: { userId?: unknown } | undefined): void {
  if (typeof request?.userId !== 'string' || request.userId === '' || request.userId === 'system') {
    throw new TypeError('erasePerson needs the id of a person');
  }
}
