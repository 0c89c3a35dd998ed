import express, { type Router } from 'express';
import { z } from 'zod';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../problems';
import { form } from './account-pages';
import { listOf } from './admin-forms';
import { formErrors, LANGUAGE_COOKIE, LOCALES } from './i18n';
import { fieldErrors, type PageContext, type PageKit } from './kit';

interface ApiToken {
  tokenId: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
  /** When it stops working (identity's API_TOKEN_TTL_DAYS after it was made). */
  expiresAt: string;
  expired: boolean;
  /** What it may do: `read` (GET, HEAD) and/or `write` (the other calls). */
  scopes: ApiTokenScope[];
}

const profileForm = z.object({ fullName: z.string().trim().min(1).max(200), locale: z.enum(LOCALES) });
const passwordForm = z.object({
  currentPassword: z.string().min(1).max(1_024),
  // The policy's lengths here, in the page's words; identity checks the rest.
  newPassword: z.string().min(12).max(256),
});
const tokenForm = z.object({
  name: z.string().trim().min(1).max(100),
  // Checkboxes: ticked ones only; at least one.
  scopes: z.preprocess(listOf, z.array(z.enum(API_TOKEN_SCOPES)).min(1)),
});

/** Who may hold API tokens: agents, admins and organisation admins (a retailer's own system). */
const mayHoldTokens = (ctx: PageContext) => ctx.me!.role !== 'customer' || ctx.me!.orgAdmin;
const isStaff = (ctx: PageContext) => ctx.me!.role !== 'customer';

type Section = 'profile' | 'password' | 'agentEmails' | 'tokens';

/**
 * "Mon profil": name and language, password change, the agents' email switch and personal API
 * tokens. Each section is its own form; a refused one re-renders the page with its errors.
 */
export function profilePages(kit: PageKit): Router {
  const r = express.Router();

  async function show(
    ctx: PageContext,
    extra: {
      section?: Section;
      errors?: Record<string, string>;
      message?: string;
      values?: Record<string, unknown>;
      newToken?: string;
      newTokenExpiresAt?: string;
    } = {},
    status = 200,
  ) {
    const me = ctx.me!;
    const [user, tokens, agentEmails] = await Promise.all([
      ctx.call<{ fullName: string; email: string; locale: string; role: string; organizationId?: string }>('identity', {
        method: 'GET',
        path: '/v1/me',
      }),
      mayHoldTokens(ctx)
        ? ctx
            .call<{ items: ApiToken[] }>('identity', { method: 'GET', path: '/v1/api-tokens' })
            .then((t) => t.items.filter((i) => !i.revokedAt))
        : Promise.resolve(undefined),
      isStaff(ctx)
        ? ctx
            .call<{ enabled: boolean }>('notifications', { method: 'GET', path: '/v1/preferences/agent-emails' })
            .catch(() => null)
        : Promise.resolve(undefined),
    ]);
    const organization = user.organizationId
      ? await ctx
          .call<{ name: string }>('identity', { method: 'GET', path: `/v1/organizations/${user.organizationId}` })
          .catch(() => undefined)
      : undefined;
    const errorsOf = (s: Section) => (extra.section === s ? (extra.errors ?? {}) : {});
    ctx.render(
      'profile',
      {
        title: ctx.t('profile.title'),
        section: 'profile',
        user,
        organization,
        role: ctx.t(`profile.role-${me.role}`),
        values: extra.section === 'profile' ? extra.values : { fullName: user.fullName, locale: user.locale },
        locales: LOCALES.map((l) => ({ value: l, label: ctx.t(`language.${l}`) })),
        errors: {
          profile: errorsOf('profile'),
          password: errorsOf('password'),
          tokens: errorsOf('tokens'),
        },
        message: extra.message,
        messageSection: extra.section,
        tokens: tokens?.map((token) => ({
          ...token,
          scopeNames: token.scopes.map((scope) => ctx.t(`profile.token-scope-${scope}`)).join(', '),
        })),
        // The form's scope checkboxes: as sent after a refusal, else `read` alone (the least a script needs).
        tokenScopes: API_TOKEN_SCOPES.map((scope) => ({
          value: scope,
          label: ctx.t(`profile.token-scope-${scope}`),
          hint: ctx.t(`profile.token-scope-${scope}-hint`),
          checked:
            extra.section === 'tokens' && extra.values ? listOf(extra.values.scopes).includes(scope) : scope === 'read',
        })),
        newToken: extra.newToken,
        newTokenExpiresAt: extra.newTokenExpiresAt,
        agentEmails,
      },
      status,
    );
  }

  /** A refusal from a service: its field errors next to the fields, its sentence at the top. */
  const refused = async (ctx: PageContext, section: Section, err: unknown) => {
    if (!(err instanceof ProblemError) || err.status >= 500 || err.status === 401) throw err;
    const values = ctx.req.body as Record<string, string>;
    await show(ctx, { section, errors: fieldErrors(err), message: kit.sentence(ctx, err), values }, err.status);
  };

  r.get(
    '/profile',
    kit.page('user', async (ctx) => show(ctx)),
  );

  r.post(
    '/profile',
    form,
    kit.page('user', async (ctx) => {
      const body = ctx.req.body as Record<string, string>;
      const checked = formErrors(profileForm, body, ctx.locale);
      if (checked.errors) return show(ctx, { section: 'profile', errors: checked.errors, values: body }, 400);
      try {
        await ctx.call('identity', {
          method: 'PATCH',
          path: `/v1/users/${encodeURIComponent(ctx.me!.userId)}`,
          json: checked.data,
        });
      } catch (err) {
        return refused(ctx, 'profile', err);
      }
      ctx.res.cookie(LANGUAGE_COOKIE, checked.data.locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86_400_000 });
      ctx.flash('done.profile');
      ctx.redirect('/profile');
    }),
  );

  r.post(
    '/profile/password',
    form,
    kit.page('user', async (ctx) => {
      const body = ctx.req.body as Record<string, string>;
      const checked = formErrors(passwordForm, body, ctx.locale);
      if (checked.errors) return show(ctx, { section: 'password', errors: checked.errors }, 400);
      try {
        // This session stays open; every other one ends (whoever knew the old password is logged out).
        const keepSessionToken = ctx.caller!.via === 'cookie' ? ctx.caller!.token : undefined;
        await ctx.call('identity', {
          method: 'POST',
          path: '/v1/me/password',
          json: { ...checked.data, ...(keepSessionToken ? { keepSessionToken } : {}) },
        });
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'weak_password') {
          return show(ctx, { section: 'password', errors: { newPassword: ctx.t('password.too-common') } }, 400);
        }
        if (err instanceof ProblemError && err.code === 'invalid_current_password') {
          return show(ctx, { section: 'password', errors: { currentPassword: ctx.t('profile.wrong-password') } }, 400);
        }
        return refused(ctx, 'password', err);
      }
      ctx.flash('done.password');
      ctx.redirect('/profile');
    }),
  );

  r.post(
    '/profile/agent-emails',
    form,
    kit.page('user', async (ctx) => {
      if (!isStaff(ctx)) throw problem('not_found');
      const enabled = (ctx.req.body as Record<string, string>).enabled === 'true';
      await ctx.call('notifications', { method: 'PUT', path: '/v1/preferences/agent-emails', json: { enabled } });
      ctx.flash(enabled ? 'done.agent-emails-on' : 'done.agent-emails-off');
      ctx.redirect('/profile');
    }),
  );

  r.post(
    '/profile/api-tokens',
    form,
    kit.page('user', async (ctx) => {
      if (!mayHoldTokens(ctx)) throw problem('not_found');
      const body = ctx.req.body as Record<string, string>;
      const checked = formErrors(tokenForm, body, ctx.locale);
      if (checked.errors) {
        // No scope ticked (or one that is not offered): one sentence on the group of checkboxes.
        const errors = Object.fromEntries(
          Object.entries(checked.errors).filter(([path]) => !path.startsWith('scopes')),
        );
        if (Object.keys(checked.errors).some((path) => path.startsWith('scopes'))) {
          errors.scopes = ctx.t('profile.token-scopes-required');
        }
        return show(ctx, { section: 'tokens', errors, values: body }, 400);
      }
      let token: string;
      let expiresAt: string;
      try {
        ({ token, expiresAt } = await ctx.call<{ token: string; expiresAt: string }>('identity', {
          method: 'POST',
          path: '/v1/api-tokens',
          json: checked.data,
        }));
      } catch (err) {
        return refused(ctx, 'tokens', err);
      }
      // Shown once, on this answer only: never in a redirect, a cookie or a log.
      await show(ctx, { section: 'tokens', newToken: token, newTokenExpiresAt: expiresAt }, 201);
    }),
  );

  r.post(
    '/profile/api-tokens/:tokenId/revoke',
    form,
    kit.page('user', async (ctx) => {
      const tokenId = z.string().min(1).max(64).safeParse(ctx.req.params.tokenId);
      if (!tokenId.success) throw problem('not_found');
      await ctx.call('identity', { method: 'DELETE', path: `/v1/api-tokens/${encodeURIComponent(tokenId.data)}` });
      ctx.flash('done.token-revoked');
      ctx.redirect('/profile');
    }),
  );

  return r;
}
