import type { Router } from 'express';
import {
  cannedAnswerBody,
  cannedAnswerListQuery,
  cannedAnswerParams,
  cannedAnswerUpdateBody,
  type CannedAnswer,
} from '@woop/contracts';
import { parseInput, type VerifiedIdentity } from '@woop/service-kit';
import {
  cannedTeams,
  createCannedAnswer,
  deleteCannedAnswer,
  findCannedAnswer,
  listCannedAnswers,
  updateCannedAnswer,
} from '../model/canned-answers';
import type { RouteContext } from './context';
import { problem } from './problems';
import { ledTeams } from './reports';

/**
 * Who reads and who writes which team's canned answers. Admins: every team. An agent reads the
 * answers of the teams they work in or lead, and writes those of the teams they lead (a member of
 * `X-leads` leads `X`, as for the reports). Customers: none (403).
 */
export function cannedScope(who: VerifiedIdentity): { read: string[] | null; write: string[] | null } {
  if (who.role === 'admin') return { read: null, write: null };
  if (who.role !== 'agent') throw problem('forbidden', 'Canned answers are for the support team.');
  const led = ledTeams(who).filter((t) => !t.endsWith('-leads'));
  return { read: [...new Set([...who.teams, ...led])].sort(), write: led };
}

const may = (teams: string[] | null, team: string) => teams === null || teams.includes(team);

const notFound = (id: string) => problem('canned_answer_not_found', `No canned answer ${id} for you.`);

/** Refuses a write to `team` that `who` may not make. */
function checkWrite(who: VerifiedIdentity, team: string): void {
  if (!may(cannedScope(who).write, team)) {
    throw problem('forbidden', `Only admins and the leads of ${team} (members of ${team}-leads) edit its answers.`);
  }
}

/** `/v1/canned-answers`: a team's ready-made replies (see `@woop/contracts`, api/canned-answers.ts). */
export function cannedAnswerRoutes(ctx: RouteContext, r: Router): void {
  const { models, caller } = ctx;
  const path = (a: CannedAnswer) => `/v1/canned-answers/${a.id}`;

  /** The answer, when it exists and `who` may read it (404 otherwise). */
  const readable = async (who: VerifiedIdentity, id: string) => {
    const answer = await findCannedAnswer(models, id);
    if (!answer || !may(cannedScope(who).read, answer.team)) throw notFound(id);
    return answer;
  };
  /** The answer, when it exists (404) and `who` may change it (403: reading it is not enough). */
  const writable = async (who: VerifiedIdentity, id: string) => {
    const answer = await findCannedAnswer(models, id);
    if (!answer) throw notFound(id);
    checkWrite(who, answer.team);
    return answer;
  };

  r.get('/canned-answers', async (req, res) => {
    const who = caller(req);
    const { read, write } = cannedScope(who);
    const { team } = parseInput(cannedAnswerListQuery, req.query, 'query');
    const teams = team ? (may(read, team) ? [team] : []) : read;
    res.json({
      items: await listCannedAnswers(models, teams),
      teams: write ?? (await cannedTeams(models)),
    });
  });

  r.get('/canned-answers/:answerId', async (req, res) => {
    const who = caller(req);
    const { answerId } = parseInput(cannedAnswerParams, req.params, 'path');
    res.json(await readable(who, answerId));
  });

  r.post('/canned-answers', async (req, res) => {
    const who = caller(req);
    const input = parseInput(cannedAnswerBody, req.body);
    checkWrite(who, input.team);
    const answer = await createCannedAnswer(models, input, who.userId);
    res.status(201).location(path(answer)).json(answer);
  });

  r.put('/canned-answers/:answerId', async (req, res) => {
    const who = caller(req);
    const { answerId } = parseInput(cannedAnswerParams, req.params, 'path');
    const { version, ...input } = parseInput(cannedAnswerUpdateBody, req.body);
    await writable(who, answerId);
    // Moving an answer to another team: a team the editor also leads.
    checkWrite(who, input.team);
    const edit = await updateCannedAnswer(models, answerId, input, version, who.userId);
    if (edit.outcome === 'not_found') throw notFound(answerId);
    if (edit.outcome === 'conflict') {
      throw problem(
        'canned_answer_conflict',
        `Version ${version} is no longer the current one (${edit.current} is): read the answer again, then edit it.`,
      );
    }
    res.json(edit.answer);
  });

  r.delete('/canned-answers/:answerId', async (req, res) => {
    const who = caller(req);
    const { answerId } = parseInput(cannedAnswerParams, req.params, 'path');
    await writable(who, answerId);
    if (!(await deleteCannedAnswer(models, answerId))) throw notFound(answerId);
    res.status(204).end();
  });
}
