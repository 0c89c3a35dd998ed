import express, { type Router } from 'express';
import { cannedAnswerParams, type CannedAnswer, type CannedAnswerList } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../../problems';
import { form } from '../account-pages';
import { notFound } from '../page-errors';
import { fieldErrors, type PageContext, type PageKit } from '../kit';
import {
  answerGroups,
  formFields,
  formFieldErrors,
  formOf,
  managedTeams,
  parseCannedForm,
  placeholderHelp,
  type CannedForm,
} from './presenter';

const BASE = '/agent/canned-answers';
const servicePath = (id?: string) => `/v1/canned-answers${id ? `/${id}` : ''}`;

/**
 * Who may open these pages: admins and team leads. A customer gets no such page (404); an agent
 * who leads no team is told why (403, with a sentence), as the tickets service would refuse them.
 */
function managerPage(kit: PageKit, handler: (ctx: PageContext) => Promise<void>) {
  return kit.page('user', async (ctx) => {
    const me = ctx.me;
    if (!me || me.role === 'customer') throw notFound();
    const managed = managedTeams(me);
    if (managed !== 'all' && managed.length === 0) {
      return ctx.render('error', { title: ctx.t('canned.title'), message: ctx.t('canned.forbidden') }, 403);
    }
    await handler(ctx);
  });
}

/** The answers and teams the caller manages: a lead sees only the teams they lead (an admin, all). */
async function managedList(ctx: PageContext): Promise<CannedAnswerList> {
  const list = await ctx.call<CannedAnswerList>('tickets', { method: 'GET', path: servicePath() });
  const managed = managedTeams(ctx.me!);
  return managed === 'all' ? list : { ...list, items: list.items.filter((a) => list.teams.includes(a.team)) };
}

const answerId = (ctx: PageContext): string => {
  const parsed = cannedAnswerParams.safeParse({ answerId: ctx.req.params.answerId });
  if (!parsed.success) throw problem('canned_answer_not_found');
  return parsed.data.answerId;
};

/** `/agent/canned-answers`: the teams' canned answers, managed by admins and team leads. */
export function cannedPages(kit: PageKit): Router {
  const r = express.Router();

  /** The form page (a new answer, or an edit), after a refusal with its errors and values. */
  async function showForm(
    ctx: PageContext,
    opts: {
      answer?: CannedAnswer;
      values?: Partial<CannedForm>;
      errors?: Record<string, string>;
      message?: string;
      /** An edit refused as stale: the answer as saved meanwhile, shown beside what was typed. */
      saved?: CannedAnswer;
    },
    status = 200,
  ): Promise<void> {
    const { teams } = await managedList(ctx);
    const values = opts.values ?? (opts.answer ? formOf(opts.answer) : { team: teams.length === 1 ? teams[0] : '' });
    const heading = opts.answer ? ctx.t('canned.edit-title') : ctx.t('canned.new-title');
    ctx.render(
      'canned-answer-form',
      {
        title: heading,
        heading,
        section: 'canned',
        breadcrumbs: [{ label: ctx.t('canned.title'), href: BASE }, { label: heading }],
        action: opts.answer ? `${BASE}/${opts.answer.id}` : BASE,
        answer: opts.answer,
        teams: [...new Set([...teams, ...(values.team ? [values.team] : [])])].map((t) => ({ value: t, label: t })),
        team: values.team,
        version: values.version,
        ...formFields(ctx.t, values, opts.errors),
        placeholders: placeholderHelp(ctx.t),
        errors: opts.errors && Object.keys(opts.errors).length > 0 ? opts.errors : undefined,
        message: opts.message,
        saved: opts.saved,
      },
      status,
    );
  }

  /** A refusal of the tickets service as the form again, with the reason (field errors, stale edit). */
  async function refused(ctx: PageContext, err: unknown, values: CannedForm, answer?: CannedAnswer) {
    if (!(err instanceof ProblemError) || err.status >= 500 || err.status === 401 || err.status === 404) throw err;
    if (err.code === 'canned_answer_conflict' && answer) {
      const saved = await ctx.call<CannedAnswer>('tickets', { method: 'GET', path: servicePath(answer.id) });
      const message = ctx.t('canned.conflict', { version: saved.version });
      return showForm(
        ctx,
        { answer: saved, values: { ...values, version: String(saved.version) }, message, saved },
        409,
      );
    }
    const errors = formFieldErrors(fieldErrors(err));
    return showForm(ctx, { answer, values, errors, message: kit.sentence(ctx, err) }, err.status);
  }

  r.get(
    BASE,
    managerPage(kit, async (ctx) => {
      const list = await managedList(ctx);
      ctx.render('canned-answers', {
        title: ctx.t('canned.title'),
        section: 'canned',
        groups: answerGroups(list.items, ctx.locale),
        teams: list.teams,
        placeholders: placeholderHelp(ctx.t),
      });
    }),
  );

  r.get(
    `${BASE}/new`,
    managerPage(kit, async (ctx) => {
      await showForm(ctx, {});
    }),
  );

  r.post(
    BASE,
    form,
    managerPage(kit, async (ctx) => {
      const posted = ctx.req.body as CannedForm;
      const parsed = parseCannedForm(posted, ctx.locale, ctx.t);
      if (parsed.errors) return showForm(ctx, { values: posted, errors: parsed.errors }, 400);
      try {
        await ctx.call('tickets', { method: 'POST', path: servicePath(), json: parsed.input });
      } catch (err) {
        return refused(ctx, err, posted);
      }
      ctx.flash('canned.created', { title: parsed.input.title[ctx.locale] });
      ctx.redirect(BASE);
    }),
  );

  r.get(
    `${BASE}/:answerId`,
    managerPage(kit, async (ctx) => {
      const answer = await ctx.call<CannedAnswer>('tickets', { method: 'GET', path: servicePath(answerId(ctx)) });
      await showForm(ctx, { answer });
    }),
  );

  r.post(
    `${BASE}/:answerId`,
    form,
    managerPage(kit, async (ctx) => {
      const id = answerId(ctx);
      const answer = await ctx.call<CannedAnswer>('tickets', { method: 'GET', path: servicePath(id) });
      const posted = ctx.req.body as CannedForm;
      const parsed = parseCannedForm(posted, ctx.locale, ctx.t);
      if (parsed.errors) return showForm(ctx, { answer, values: posted, errors: parsed.errors }, 400);
      // The version the form was opened on: what makes a concurrent save a refusal, not a loss.
      const version = Number(posted.version);
      if (!Number.isInteger(version) || version < 1) throw problem('canned_answer_not_found');
      try {
        await ctx.call('tickets', { method: 'PUT', path: servicePath(id), json: { ...parsed.input, version } });
      } catch (err) {
        return refused(ctx, err, posted, answer);
      }
      ctx.flash('canned.saved', { title: parsed.input.title[ctx.locale] });
      ctx.redirect(BASE);
    }),
  );

  r.post(
    `${BASE}/:answerId/delete`,
    form,
    managerPage(kit, async (ctx) => {
      const id = answerId(ctx);
      const answer = await ctx.call<CannedAnswer>('tickets', { method: 'GET', path: servicePath(id) });
      await ctx.call('tickets', { method: 'DELETE', path: servicePath(id) });
      ctx.flash('canned.deleted', { title: answer.title[ctx.locale] });
      ctx.redirect(BASE);
    }),
  );

  return r;
}
