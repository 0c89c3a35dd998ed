import express, { type Router } from 'express';
import { referenceParams, type CsatLinkView } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../../problems';
import { form } from '../account-pages';
import { isLocale, LANGUAGE_COOKIE } from '../i18n';
import type { PageContext, PageKit } from '../kit';
import { checkRating, csatFormView, scoreOf, type CsatForm } from './presenter';

/** The refusals a rating may meet, each with its sentence in the page's language. */
const REFUSALS = new Set(['already_rated', 'request_closed', 'csat_link_invalid', 'action_not_allowed_in_status']);

/**
 * "Êtes-vous satisfait de la réponse ?": `/csat?token=` is the page of the links emailed when a
 * request becomes TERMINÉ, for anyone holding the link (no login: the token is the credential,
 * opened by the tickets service); `/requests/:reference/csat` takes the request page's form,
 * as the logged-in requester. Both show the form again with what was typed when it does not do,
 * and say in the visitor's language why a rating is not taken (given already, closed, reopened).
 */
export function csatPages(kit: PageKit): Router {
  const r = express.Router();

  const render = (ctx: PageContext, model: Record<string, unknown>, status = 200) =>
    ctx.render('csat', { title: ctx.t('csat.title'), ...model }, status);

  /**
   * The page for a link that takes no rating now, saying why: 404 for a link that is none, 409
   * for a rating sent and refused, 200 for a valid link opened again (rated already, closed,
   * reopened: the page informs, as every used link of an email opens a page of the portal).
   */
  const refused = (ctx: PageContext, code: string, view?: CsatLinkView, opened = false) => {
    // Someone else than the requester: the sentence of the request page's other refused forms.
    const message = ctx.t(code === 'role_not_allowed' ? 'request.role-refused' : `csat.refused.${code}`);
    render(ctx, { view, message, refused: true }, code === 'csat_link_invalid' ? 404 : opened ? 200 : 409);
  };

  const linkView = (ctx: PageContext, token: string) =>
    ctx.call<CsatLinkView>('tickets', { method: 'GET', path: `/v1/csat?token=${encodeURIComponent(token)}` });

  /** A refusal the page explains, or the error as it is (a service down: the error page). */
  const refusalOf = (err: unknown): string => {
    if (err instanceof ProblemError && REFUSALS.has(err.code)) return err.code;
    if (err instanceof ProblemError && err.code === 'validation_failed') return 'csat_link_invalid';
    throw err;
  };

  r.get(
    '/csat',
    kit.page('public', async (ctx) => {
      const query = ctx.req.query as Record<string, unknown>;
      // The email's language, for a visitor the portal does not know yet (an account's language wins).
      if (typeof query.lang === 'string') {
        if (isLocale(query.lang) && !ctx.me) {
          ctx.res.cookie(LANGUAGE_COOKIE, query.lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400_000 });
        }
        const url = new URL(ctx.req.originalUrl, 'http://portal');
        url.searchParams.delete('lang');
        return ctx.redirect(`${url.pathname}${url.search}`);
      }
      const token = typeof query.token === 'string' ? query.token : '';
      let view: CsatLinkView;
      try {
        view = await linkView(ctx, token);
      } catch (err) {
        return refused(ctx, refusalOf(err));
      }
      if (view.state !== 'open') return refused(ctx, STATE_REFUSALS[view.state], view, true);
      const csatForm: CsatForm = { action: '/csat', token, score: scoreOf(query.score) };
      render(ctx, { view, form: csatFormView(ctx, csatForm) });
    }),
  );

  r.post(
    '/csat',
    form,
    kit.page('public', async (ctx) => {
      const body = ctx.req.body as Record<string, string | undefined>;
      const token = body.token ?? '';
      const checked = checkRating(body, ctx.locale);
      if (checked.errors) {
        let view: CsatLinkView | undefined;
        try {
          view = await linkView(ctx, token);
        } catch (err) {
          return refused(ctx, refusalOf(err));
        }
        const again: CsatForm = { action: '/csat', token, score: scoreOf(body.score), comment: body.comment };
        return render(ctx, { view, form: csatFormView(ctx, { ...again, errors: checked.errors }) }, 400);
      }
      let view: CsatLinkView;
      try {
        view = await ctx.call<CsatLinkView>('tickets', {
          method: 'POST',
          path: '/v1/csat',
          json: { token, ...checked.data },
        });
      } catch (err) {
        return refused(ctx, refusalOf(err));
      }
      render(ctx, { view, thanks: ctx.t('csat.thanks', { score: view.score }) });
    }),
  );

  // The request page's form: the logged-in requester, through the API's `rate` action.
  r.post(
    '/requests/:reference/csat',
    form,
    kit.page('user', async (ctx) => {
      const parsed = referenceParams.safeParse(ctx.req.params);
      if (!parsed.success) throw problem('not_found');
      const { reference } = parsed.data;
      const body = ctx.req.body as Record<string, string | undefined>;
      const checked = checkRating(body, ctx.locale);
      const again: CsatForm = {
        action: `/requests/${reference}/csat`,
        score: scoreOf(body.score),
        comment: body.comment,
      };
      if (checked.errors) {
        return render(ctx, { reference, form: csatFormView(ctx, { ...again, errors: checked.errors }) }, 400);
      }
      try {
        await ctx.call('tickets', {
          method: 'POST',
          path: `/v1/tickets/${reference}/actions/rate`,
          json: { payload: checked.data },
        });
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'role_not_allowed') return refused(ctx, 'role_not_allowed');
        return refused(ctx, refusalOf(err));
      }
      ctx.flash('done.rate');
      ctx.redirect(`/requests/${reference}#csat`);
    }),
  );

  return r;
}

/** Why a link whose request is no longer to rate says so. */
const STATE_REFUSALS: Record<Exclude<CsatLinkView['state'], 'open'>, string> = {
  rated: 'already_rated',
  closed: 'request_closed',
  reopened: 'action_not_allowed_in_status',
};
