import express, { type Router } from 'express';
import { z } from 'zod';
import { consume, ProblemError, type VerifiedIdentity } from '@woop/service-kit';
import { clearSessionCookies, parseCookies, SESSION_COOKIE, setSessionCookies } from '../auth';
import { formErrors, isLocale, LANGUAGE_COOKIE, type Locale } from './i18n';
import { loginUrl, safeNext, type PageContext, type PageKit, type PagesDeps } from './kit';

export const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

const email = z.email().max(254);
const password = z.string().min(1).max(1_024);
const emailStep = z.object({ email });
const passwordStep = z.object({ email, password });
/** The policy's lengths are checked here, in the page's words; identity checks the rest (common, contains the name). */
const newPassword = z.string().min(12).max(256);
const completeForm = z.object({ fullName: z.string().trim().min(1).max(200), password: newPassword });
const newPasswordForm = z.object({ password: newPassword });
const token = z.string().min(1).max(200);

const LINK_CODES = new Set(['link_invalid', 'link_expired', 'link_used', 'link_superseded']);

interface SessionGrant {
  sessionToken: string;
  expiresAt: string;
  identity: VerifiedIdentity;
}

/**
 * Accounts, as the guide shows them: log in (Email → Next → password), sign up ("Send link"),
 * the page the emailed link opens (full name and password), invitations, password reset,
 * log out and the language before login.
 */
export function accountPages(kit: PageKit, deps: PagesDeps): Router {
  const { upstreams, limits, csrfSecret } = deps;
  const r = express.Router();
  const authLimit = async (ctx: PageContext) => consume([limits.authPerIp, ctx.req.ip ?? 'unknown']);
  const identity = <T>(ctx: PageContext, path: string, json: unknown) =>
    upstreams.json<T>('identity', ctx.req, { method: 'POST', path, json }).then((r) => r.body);
  /**
   * A new session, in a new cookie; the session this browser held before (another account's,
   * or one someone planted) ends: a login never carries on an earlier session.
   */
  const logIn = async (ctx: PageContext, grant: SessionGrant, next: string) => {
    const before = parseCookies(ctx.req.header('cookie'))[SESSION_COOKIE];
    if (before && before !== grant.sessionToken) {
      await identity(ctx, '/v1/logout', { sessionToken: before }).catch(() => undefined);
    }
    setSessionCookies(ctx.res, grant.sessionToken, grant.expiresAt, csrfSecret);
    ctx.redirect(next);
  };

  /**
   * Sign-up and reset ask for a link the same way: an address, checked here, then identity,
   * which answers alike whatever the address; the page says where the link went.
   */
  const askForLink =
    (view: 'signup' | 'password-reset', path: string, texts: 'signup' | 'reset') => async (ctx: PageContext) => {
      const body = ctx.req.body as Record<string, string>;
      const checked = formErrors(emailStep, { email: body.email }, ctx.locale);
      if (checked.errors) {
        return ctx.render(view, { title: ctx.t(`${texts}.title`), email: body.email, errors: checked.errors }, 400);
      }
      await authLimit(ctx);
      await identity(ctx, path, { email: checked.data.email, locale: ctx.locale });
      ctx.render('link-sent', {
        title: ctx.t(`${texts}.sent-title`),
        message: ctx.t(`${texts}.sent`, { email: checked.data.email }),
      });
    };

  // ---- log in -------------------------------------------------------------------------------
  const loginPage = (ctx: PageContext, model: Record<string, unknown>, status = 200) =>
    ctx.render('login', { title: ctx.t('login.title'), next: safeNext(ctx.req.query.next), ...model }, status);

  r.get(
    '/login',
    kit.page('public', async (ctx) => {
      if (ctx.me) return ctx.redirect(safeNext(ctx.req.query.next));
      loginPage(ctx, { step: 'email' });
    }),
  );
  r.post(
    '/login',
    form,
    kit.page('public', async (ctx) => {
      const body = ctx.req.body as Record<string, string>;
      const next = safeNext(body.next);
      if (body.password === undefined) {
        const checked = formErrors(emailStep, { email: body.email }, ctx.locale);
        if (checked.errors)
          return loginPage(ctx, { step: 'email', next, email: body.email, errors: checked.errors }, 400);
        return loginPage(ctx, { step: 'password', next, email: checked.data.email });
      }
      const checked = formErrors(passwordStep, body, ctx.locale);
      if (checked.errors)
        return loginPage(ctx, { step: 'password', next, email: body.email, errors: checked.errors }, 400);
      await authLimit(ctx);
      try {
        await logIn(ctx, await identity<SessionGrant>(ctx, '/v1/login', checked.data), next);
      } catch (err) {
        // 429: too many failed logins for this address (whatever the password), said on the form.
        if (!(err instanceof ProblemError) || ![401, 403, 429].includes(err.status)) throw err;
        loginPage(
          ctx,
          { step: 'password', next, email: checked.data.email, message: kit.sentence(ctx, err) },
          err.status,
        );
      }
    }),
  );

  r.post(
    '/logout',
    form,
    kit.page('user', async (ctx) => {
      await upstreams.json('identity', ctx.req, {
        method: 'POST',
        path: '/v1/logout',
        json: { sessionToken: ctx.caller!.token },
      });
      clearSessionCookies(ctx.res);
      ctx.redirect('/login');
    }),
  );

  // ---- sign up ------------------------------------------------------------------------------
  r.get(
    '/signup',
    kit.page('public', async (ctx) => {
      if (ctx.me) return ctx.redirect('/');
      ctx.render('signup', { title: ctx.t('signup.title') });
    }),
  );
  r.post('/signup', form, kit.page('public', askForLink('signup', '/v1/signup', 'signup')));

  /** The page an emailed link opens: sign-up ("Almost done!") and invitation end the same way. */
  const completePage = (kind: 'signup' | 'invitation') => {
    const view = (ctx: PageContext, model: Record<string, unknown>, status = 200) =>
      ctx.render('signup-complete', { title: ctx.t(`${kind}.complete-title`), kind, ...model }, status);
    return {
      get: kit.page('public', async (ctx) => {
        const given = token.safeParse(ctx.req.query.token);
        if (!given.success) return linkProblem(ctx, 'link_invalid', kind);
        if (!(await linkUsable(ctx, given.data, kind === 'signup' ? 'signup' : 'invite', kind))) return;
        view(ctx, { token: given.data });
      }),
      post: kit.page('public', async (ctx) => {
        const body = ctx.req.body as Record<string, string>;
        const given = token.safeParse(body.token);
        if (!given.success) return linkProblem(ctx, 'link_invalid', kind);
        const checked = formErrors(completeForm, body, ctx.locale);
        const model = { token: given.data, fullName: body.fullName };
        if (checked.errors) return view(ctx, { ...model, errors: checked.errors }, 400);
        await authLimit(ctx);
        try {
          const grant = await identity<SessionGrant>(ctx, '/v1/signup/complete', {
            token: given.data,
            ...checked.data,
          });
          await logIn(ctx, grant, '/?welcome=1');
        } catch (err) {
          if (!(err instanceof ProblemError)) throw err;
          if (LINK_CODES.has(err.code)) return linkProblem(ctx, err.code, kind);
          if (err.code === 'weak_password') return view(ctx, { ...model, errors: passwordError(ctx) }, 400);
          if (err.code === 'account_exists') {
            return view(ctx, { ...model, errors: { _form: true }, message: kit.sentence(ctx, err) }, 409);
          }
          throw err;
        }
      }),
    };
  };
  for (const [path, kind] of [
    ['/signup/complete', 'signup'],
    ['/invitation', 'invitation'],
  ] as const) {
    const handlers = completePage(kind);
    r.get(path, handlers.get);
    r.post(path, form, handlers.post);
  }

  // ---- password reset -----------------------------------------------------------------------
  r.get(
    '/password-reset',
    kit.page('public', async (ctx) => {
      ctx.render('password-reset', { title: ctx.t('reset.title') });
    }),
  );
  r.post('/password-reset', form, kit.page('public', askForLink('password-reset', '/v1/password-reset', 'reset')));
  const resetView = (ctx: PageContext, model: Record<string, unknown>, status = 200) =>
    ctx.render('password-reset-complete', { title: ctx.t('reset.complete-title'), ...model }, status);
  r.get(
    '/password-reset/complete',
    kit.page('public', async (ctx) => {
      const given = token.safeParse(ctx.req.query.token);
      if (!given.success) return linkProblem(ctx, 'link_invalid', 'reset');
      if (!(await linkUsable(ctx, given.data, 'reset', 'reset'))) return;
      resetView(ctx, { token: given.data });
    }),
  );
  r.post(
    '/password-reset/complete',
    form,
    kit.page('public', async (ctx) => {
      const body = ctx.req.body as Record<string, string>;
      const given = token.safeParse(body.token);
      if (!given.success) return linkProblem(ctx, 'link_invalid', 'reset');
      const checked = formErrors(newPasswordForm, body, ctx.locale);
      if (checked.errors) return resetView(ctx, { token: given.data, errors: checked.errors }, 400);
      await authLimit(ctx);
      try {
        await identity(ctx, '/v1/password-reset/complete', { token: given.data, password: checked.data.password });
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        if (LINK_CODES.has(err.code)) return linkProblem(ctx, err.code, 'reset');
        if (err.code === 'weak_password') {
          return resetView(ctx, { token: given.data, errors: passwordError(ctx) }, 400);
        }
        throw err;
      }
      // Every session ended with the old password: log in again with the new one.
      clearSessionCookies(ctx.res);
      ctx.render('link-sent', { title: ctx.t('reset.done-title'), message: ctx.t('reset.done'), loginLink: true });
    }),
  );

  // ---- language -----------------------------------------------------------------------------
  r.get(
    '/language',
    kit.page('public', async (ctx) => {
      const locale = ctx.req.query.locale;
      if (isLocale(locale)) {
        ctx.res.cookie(LANGUAGE_COOKIE, locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400_000 });
      }
      ctx.redirect(safeNext(ctx.req.query.next));
    }),
  );
  r.post(
    '/language',
    form,
    kit.page('user', async (ctx) => {
      const body = ctx.req.body as Record<string, string>;
      const locale: Locale = isLocale(body.locale) ? body.locale : ctx.locale;
      await ctx.call('identity', {
        method: 'PATCH',
        path: `/v1/users/${encodeURIComponent(ctx.me!.userId)}`,
        json: { locale },
      });
      ctx.res.cookie(LANGUAGE_COOKIE, locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400_000 });
      ctx.redirect(safeNext(body.next));
    }),
  );

  return r;

  /** Says at once that an emailed link expired or was used, before any form is filled in. */
  async function linkUsable(
    ctx: PageContext,
    value: string,
    purpose: 'signup' | 'invite' | 'reset',
    kind: 'signup' | 'invitation' | 'reset',
  ): Promise<boolean> {
    try {
      await identity(ctx, '/v1/links/check', { token: value, purpose });
      return true;
    } catch (err) {
      if (!(err instanceof ProblemError) || !LINK_CODES.has(err.code)) throw err;
      linkProblem(ctx, err.code, kind);
      return false;
    }
  }

  /** A link that cannot be used: say why, in a sentence, and offer a new one. */
  function linkProblem(ctx: PageContext, code: string, kind: 'signup' | 'invitation' | 'reset') {
    const again = kind === 'reset' ? '/password-reset' : kind === 'signup' ? '/signup' : loginUrl('/');
    ctx.render('link-problem', { title: ctx.t('link.title'), message: ctx.t(`error.${code}`), again, kind }, 400);
  }

  /** The policy's refusal once the lengths are right: too common, or made of the name or address. */
  function passwordError(ctx: PageContext): Record<string, string> {
    return { password: ctx.t('password.too-common') };
  }
}
