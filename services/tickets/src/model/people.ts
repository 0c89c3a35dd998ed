import { createHash, randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import {
  ERASED_NAME,
  ERASED_TEXT,
  type ActivityEntry,
  type EventEnvelope,
  type Person,
  type UserFacts,
} from '@woop/contracts';
import { isDuplicateKey } from '@woop/service-kit';
import { rowOf, ROWS_COLLECTION, TICKETS_COLLECTION, type TicketRecord } from './read-model';

/**
 * The tickets service's copy of the people tickets name (from identity's user.* events): to
 * check that someone a ticket is shared with belongs to its organisation, to keep names
 * current in the read model, and to anonymise the people who asked to be erased.
 */
export const PEOPLE_COLLECTION = 'people';

export interface PersonRecord {
  _id: string;
  name: string;
  email?: string;
  role?: UserFacts['role'];
  organizationId?: string;
  /** An agent's teams (absent from copies written before they were kept: then not checked). */
  teams?: string[];
  status: UserFacts['status'];
  /**
   * An erased person's former address, as a salted SHA-256 (`salt:digest`, hex), never the
   * address itself: enough to blank it wherever they typed it in a ticket's text (the workflow's
   * state keeps the text as written), not to read it back.
   */
  emailDigest?: string;
  /** Time of the event this copy comes from: an older event never overwrites a newer one. */
  eventTime: string;
}

/** What an erased person is called everywhere in the read model (shared with the workflow). */
export { ERASED_NAME };

const digestOf = (salt: string, email: string) =>
  createHash('sha256').update(`${salt}:${email.trim().toLowerCase()}`).digest('hex');
/** `salt:digest` of an address, for `PersonRecord.emailDigest`. */
export const emailDigest = (email: string, salt = randomBytes(16).toString('hex')) =>
  `${salt}:${digestOf(salt, email)}`;
/** Whether `email` is the address `digest` was made of. */
const matches = (digest: string, email: string) => {
  const [salt = '', hex] = digest.split(':');
  return digestOf(salt, email) === hex;
};
/** Anything that looks like an address in free text. */
const ADDRESS = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[^\s@<>()[\]"',;:]+/g;

/**
 * Applies one identity event to the directory. Returns the people whose tickets must be
 * rewritten (renamed or erased), if any.
 */
export async function applyUserEvent(db: mongo.Db, event: EventEnvelope): Promise<PersonRecord | undefined> {
  const people = db.collection<PersonRecord>(PEOPLE_COLLECTION);
  let next: PersonRecord;
  if (event.type === 'user.erased') {
    const { userId } = event.data as { userId: string };
    const before = await people.findOne({ _id: userId });
    // The address is kept only as a salted digest: the workflow still holds the ticket's text
    // as written, so every later projection must blank it again (`withPeople`).
    const digest = before?.email ? emailDigest(before.email) : before?.emailDigest;
    next = {
      _id: userId,
      name: ERASED_NAME,
      ...(digest ? { emailDigest: digest } : {}),
      status: 'erased',
      eventTime: before?.status === 'erased' && before.eventTime > event.time ? before.eventTime : event.time,
    };
    // Replaced whatever its time: an erasure wins over any copy (the conditional write would
    // keep a copy from a later event, with its address).
    await people.replaceOne({ _id: userId }, next, { upsert: true });
    return next;
  }
  const user = (event.data as { user?: UserFacts }).user;
  if (!user) return undefined;
  const before = await people.findOne({ _id: user.userId });
  if (before?.status === 'erased') return undefined; // erasure is final
  next = {
    _id: user.userId,
    name: user.fullName,
    email: user.email,
    role: user.role,
    ...(user.organizationId ? { organizationId: user.organizationId } : {}),
    ...(user.role === 'agent' ? { teams: user.teams ?? [] } : {}),
    status: user.status,
    eventTime: event.time,
  };
  const written = await write(people, next);
  return written && before && before.name !== next.name ? next : undefined;
}

/** Writes `next` unless a newer event already did; true when it was written. */
async function write(people: mongo.Collection<PersonRecord>, next: PersonRecord): Promise<boolean> {
  try {
    const res = await people.replaceOne({ _id: next._id, eventTime: { $lte: next.eventTime } }, next, { upsert: true });
    return res.modifiedCount + res.upsertedCount > 0;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return false; // a newer copy is there
  }
}

export async function findPeople(db: mongo.Db, ids: string[]): Promise<Map<string, PersonRecord>> {
  const docs = await db
    .collection<PersonRecord>(PEOPLE_COLLECTION)
    .find({ _id: { $in: [...new Set(ids)] } })
    .toArray();
  return new Map(docs.map((d) => [d._id, d]));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The ticket with people's current names (requester, shared-with) and with erased people
 * anonymised: their name everywhere, their email address wherever it was written. Pure.
 */
export function withPeople<T extends Omit<TicketRecord, '_id'>>(ticket: T, people: Map<string, PersonRecord>): T {
  const erased = [...people.values()].filter((p) => p.status === 'erased');
  const rename = <P extends Person>(p: P): P => {
    const known = people.get(p.id);
    return known ? { ...p, name: known.name } : p;
  };
  const eraseName = <P extends { id: string; name: string }>(p: P): P =>
    people.get(p.id)?.status === 'erased' ? { ...p, name: ERASED_NAME } : p;
  const emails = erased.flatMap((p) => (p.email ? [new RegExp(escapeRegExp(p.email), 'gi')] : []));
  const digests = erased.flatMap((p) => (p.emailDigest ? [p.emailDigest] : []));
  // An erased person's former names, as the ticket still has them, blanked in its text too.
  const erasedIds = new Set(erased.map((p) => p._id));
  const formerNames = new Set<string>();
  const collect = (p: { id: string; name: string } | undefined) => {
    if (p && erasedIds.has(p.id) && p.name !== ERASED_NAME && p.name.trim().length >= 3) formerNames.add(p.name.trim());
  };
  collect(ticket.requester);
  (ticket.sharedWith ?? []).forEach(collect);
  for (const e of ticket.activity) {
    collect(e.actor);
    (e.people ?? []).forEach(collect);
  }
  const names = [...formerNames].sort((a, b) => b.length - a.length).map((n) => new RegExp(escapeRegExp(n), 'giu'));
  const blank = (text: string): string =>
    [...emails, ...names]
      .reduce((t, re) => t.replace(re, ERASED_TEXT), text)
      .replace(ADDRESS, (found) => (digests.some((d) => matches(d, found)) ? ERASED_TEXT : found));
  const blankAny = (value: unknown): unknown =>
    typeof value === 'string'
      ? blank(value)
      : Array.isArray(value)
        ? value.map(blankAny)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blankAny(v)]))
          : value;
  const entry = (e: ActivityEntry): ActivityEntry => ({
    ...e,
    actor: eraseName(e.actor),
    ...(e.body !== undefined ? { body: blank(e.body) } : {}),
    ...(e.reason !== undefined ? { reason: blank(e.reason) } : {}),
    ...(e.people ? { people: e.people.map(eraseName) } : {}),
  });
  const out: T = {
    ...ticket,
    requester: rename(ticket.requester),
    ...(ticket.sharedWith ? { sharedWith: ticket.sharedWith.map(rename) } : {}),
    activity: ticket.activity.map(entry),
  };
  if (erased.length === 0) return out;
  return {
    ...out,
    summary: blank(out.summary),
    ...(out.description !== undefined ? { description: blank(out.description) } : {}),
    ...(out.fields ? { fields: blankAny(out.fields) as Record<string, unknown> } : {}),
    ...(out.resolution
      ? { resolution: { ...out.resolution, answer: blank(out.resolution.answer), by: eraseName(out.resolution.by) } }
      : {}),
    ...(out.rejection
      ? { rejection: { ...out.rejection, reason: blank(out.rejection.reason), by: eraseName(out.rejection.by) } }
      : {}),
    ...(out.csat
      ? {
          csat: {
            ...out.csat,
            ...(out.csat.comment !== undefined ? { comment: blank(out.csat.comment) } : {}),
            by: eraseName(out.csat.by),
          },
        }
      : {}),
  };
}

/** Everyone a ticket names, for `findPeople`. */
export function peopleOf(ticket: Omit<TicketRecord, '_id'>): string[] {
  return [
    ticket.requester.id,
    ...(ticket.sharedWith ?? []).map((p) => p.id),
    ...ticket.activity.map((e) => e.actor.id),
    ...ticket.activity.flatMap((e) => (e.people ?? []).map((p) => p.id)),
  ];
}

/**
 * After a rename or an erasure: rewrites the read model of every ticket that names the person.
 * Each write is conditional on the version read, so a newer projection (which applies the
 * directory itself) is never overwritten.
 */
export async function rewriteTicketsOf(db: mongo.Db, person: PersonRecord): Promise<number> {
  const tickets = db.collection<TicketRecord>(TICKETS_COLLECTION);
  const cursor = tickets.find({
    $or: peopleFilter(person._id),
  });
  let rewritten = 0;
  for await (const doc of cursor) {
    const { _id, ...ticket } = doc;
    const next = withPeople(ticket, await findPeople(db, peopleOf(ticket)));
    const res = await tickets.replaceOne({ _id, version: doc.version }, { ...doc, ...next });
    if (res.modifiedCount === 0) continue; // a newer projection came first, and applied the directory itself
    const { _id: _row, ...row } = rowOf(_id, next);
    await db.collection(ROWS_COLLECTION).updateOne({ _id: _id as never, version: doc.version }, { $set: row });
    rewritten += 1;
  }
  return rewritten;
}

/** The read model's tickets that name `userId` anywhere (requester, shared with, actor, a share's people). */
export const peopleFilter = (userId: string) => [
  { 'requester.id': userId },
  { 'sharedWith.id': userId },
  { 'activity.actor.id': userId },
  { 'activity.people.id': userId },
  { 'assignment.agentId': userId },
];
