import { Types } from 'mongoose';
import type { CannedAnswer, CannedAnswerInput } from '@woop/contracts';
import { isDuplicateKey } from '@woop/service-kit';
import type { TicketModels } from './database';
import { PEOPLE_COLLECTION, type PersonRecord } from './people';

/**
 * The teams' canned answers (`canned_answers`), and the claims of their versions
 * (`canned_answer_versions`, `_id` `<id>@<version>`).
 *
 * No edit is lost, on FerretDB too (whose conditional updates are not atomic under concurrency,
 * see docs/architecture.md): an edit names the version it was made on, and becomes the next
 * version only by inserting that version's claim, which one writer alone can do (an insert wins
 * or collides). The current text is then written by the claim's holder only. A second edit of the
 * same version is refused (`conflict`), and says which version is current now.
 */
interface StoredAnswer {
  _id: string;
  team: string;
  title: { fr: string; en: string };
  body: { fr: string; en: string };
  version: number;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const claimId = (id: string, version: number) => `${id}@${version}`;

const toAnswer = (doc: StoredAnswer): CannedAnswer => ({
  id: doc._id,
  team: doc.team,
  title: { fr: doc.title.fr, en: doc.title.en },
  body: { fr: doc.body.fr, en: doc.body.en },
  version: doc.version,
  createdAt: new Date(doc.createdAt).toISOString(),
  updatedAt: new Date(doc.updatedAt).toISOString(),
});

/** The answers of `teams` (all teams: null), by team then French title. */
export async function listCannedAnswers(models: TicketModels, teams: string[] | null): Promise<CannedAnswer[]> {
  const docs = (await models.CannedAnswer.find(teams ? { team: { $in: teams } } : {}).lean()) as StoredAnswer[];
  return docs
    .map(toAnswer)
    .sort(
      (a, b) => a.team.localeCompare(b.team) || a.title.fr.localeCompare(b.title.fr, 'fr') || (a.id < b.id ? -1 : 1),
    );
}

export async function findCannedAnswer(models: TicketModels, id: string): Promise<CannedAnswer | undefined> {
  const doc = (await models.CannedAnswer.findById(id).lean()) as StoredAnswer | null;
  return doc ? toAnswer(doc) : undefined;
}

/** A new answer at version 1. */
export async function createCannedAnswer(
  models: TicketModels,
  input: CannedAnswerInput,
  by: string,
): Promise<CannedAnswer> {
  const id = new Types.ObjectId().toHexString();
  await models.CannedAnswerVersion.create({ _id: claimId(id, 1), answerId: id, by });
  const doc = await models.CannedAnswer.create({ _id: id, ...input, version: 1, updatedBy: by });
  return toAnswer(doc.toObject() as StoredAnswer);
}

export type CannedEdit =
  { outcome: 'saved'; answer: CannedAnswer } | { outcome: 'conflict'; current: number } | { outcome: 'not_found' };

/** Saves `input` as the version after `edited`, if nobody saved one since (see above). */
export async function updateCannedAnswer(
  models: TicketModels,
  id: string,
  input: CannedAnswerInput,
  edited: number,
  by: string,
): Promise<CannedEdit> {
  const current = (await models.CannedAnswer.findById(id).lean()) as StoredAnswer | null;
  if (!current) return { outcome: 'not_found' };
  if (current.version !== edited) return { outcome: 'conflict', current: current.version };
  const version = edited + 1;
  try {
    await models.CannedAnswerVersion.create({ _id: claimId(id, version), answerId: id, by });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const now = await findCannedAnswer(models, id);
    return now ? { outcome: 'conflict', current: now.version } : { outcome: 'not_found' };
  }
  const res = await models.CannedAnswer.updateOne(
    { _id: id, version: edited },
    { $set: { ...input, version, updatedBy: by } },
  );
  const saved = await findCannedAnswer(models, id);
  // Deleted between the read and the write: nothing to edit any more.
  if (res.matchedCount === 0 || !saved) {
    await models.CannedAnswerVersion.deleteOne({ _id: claimId(id, version) });
    return { outcome: 'not_found' };
  }
  return { outcome: 'saved', answer: saved.version === version ? saved : { ...saved, ...input, version } };
}

/** Deletes an answer and its claims; false when there was none. */
export async function deleteCannedAnswer(models: TicketModels, id: string): Promise<boolean> {
  const { deletedCount } = await models.CannedAnswer.deleteOne({ _id: id });
  await models.CannedAnswerVersion.deleteMany({ answerId: id });
  return deletedCount > 0;
}

/**
 * Every team an admin may give an answer to: the teams of the active agents of the tickets
 * service's directory (identity's, by its events), and those that already have answers; never a
 * `<team>-leads` team, which says who leads, not who answers.
 */
export async function cannedTeams(models: TicketModels): Promise<string[]> {
  const [agents, answered] = await Promise.all([
    models
      .native()
      .collection<PersonRecord>(PEOPLE_COLLECTION)
      .find({ role: 'agent', status: 'active' }, { projection: { teams: 1 } })
      .toArray(),
    models.CannedAnswer.distinct('team'),
  ]);
  const teams = new Set([...agents.flatMap((a) => a.teams ?? []), ...answered]);
  return [...teams].filter((t) => !t.endsWith('-leads')).sort();
}
