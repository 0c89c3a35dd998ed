import express, { type Router } from 'express';
import { z } from 'zod';
import { CATEGORIES, requestTypeBody, requestTypeParams, type RequestTypeDefinition } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { form } from './account-pages';
import {
  definitionFromForm,
  foldItemErrors,
  inviteForm,
  inviteInput,
  KNOWN_TEAMS,
  listOf,
  organizationCreateForm,
  organizationEditForm,
  organizationInput,
  typeFormErrors,
  typeFormRepost,
  typeFormValues,
  USER_ROLES,
  USER_STATUSES,
  userChanges,
  userEditForm,
} from './admin-forms';
import { hide403, notFound } from './page-errors';
import { formErrors, hasText } from './i18n';
import { fieldErrors, type PageContext, type PageKit } from './kit';

interface Organization {
  organizationId: string;
  name: string;
  kind: 'retailer' | 'carrier';
  emailDomains: string[];
}
interface User {
  userId: string;
  email: string;
  fullName: string;
  role: (typeof USER_ROLES)[number];
  organizationId?: string;
  orgAdmin: boolean;
  teams: string[];
  locale: 'fr' | 'en';
  status: 'invited' | 'active' | 'deactivated' | 'erased';
  createdAt: string;
}
type Values = Record<string, unknown>;
interface FormState {
  values?: Values;
  errors?: Record<string, string>;
  message?: string;
}

const SLA_POLICIES = ['standard', 'security', 'personal-data'] as const;
const PORTALS = ['retailer', 'carrier'] as const;
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * Administration (admins only; anyone else gets the not-found page): organisations, users and
 * the request-type catalogue. Each form is checked with the shared schema before the call; a
 * refused call shows the form again with what was typed and the reason as a sentence.
 */
export function adminPages(kit: PageKit): Router {
  const r = express.Router();

  const page = (handler: (ctx: PageContext) => Promise<void>) =>
    kit.page('user', async (ctx) => {
      if (ctx.me?.role !== 'admin') throw notFound();
      await handler(ctx);
    });
  const idOf = (ctx: PageContext, name: string): string => {
    const parsed = id.safeParse(ctx.req.params[name]);
    if (!parsed.success) throw notFound();
    return parsed.data;
  };
  const body = (ctx: PageContext) => (ctx.req.body ?? {}) as Record<string, unknown>;
  /** The reason of a refusal: ours when we have words for its code, else the portal's. */
  const sentence = (ctx: PageContext, err: ProblemError) =>
    hasText(ctx.locale, `admin.error.${err.code}`) ? ctx.t(`admin.error.${err.code}`) : kit.sentence(ctx, err);
  /** A refusal the person can act on (a 400 or 409) is shown on the form; anything else is the error page. */
  const refusal = (err: unknown): err is ProblemError =>
    err instanceof ProblemError && (err.status === 400 || err.status === 409 || err.status === 422);
  const crumbs = (ctx: PageContext, ...rest: Array<{ label: string; href?: string }>) => [
    { label: ctx.t('admin.title'), href: '/admin' },
    ...rest,
  ];

  const organizations = (ctx: PageContext) =>
    ctx
      .call<{ items: Organization[] }>('identity', { method: 'GET', path: '/v1/organizations' })
      .then((o) => o.items)
      .catch(hide403);
  const users = (ctx: PageContext, organizationId?: string) =>
    ctx
      .call<{ items: User[] }>('identity', {
        method: 'GET',
        path: `/v1/users${organizationId ? `?organizationId=${encodeURIComponent(organizationId)}` : ''}`,
      })
      .then((u) => u.items)
      .catch(hide403);
  const catalogue = (ctx: PageContext) =>
    ctx
      .call<{ items: RequestTypeDefinition[] }>('tickets', { method: 'GET', path: '/v1/catalogue' })
      .then((c) => c.items);

  // ---- overview -----------------------------------------------------------------------------
  r.get(
    '/admin',
    page(async (ctx) => {
      const [orgs, people, types] = await Promise.all([organizations(ctx), users(ctx), catalogue(ctx)]);
      ctx.render('admin-home', {
        title: ctx.t('admin.title'),
        section: 'admin',
        adminSection: 'home',
        counts: {
          organizations: orgs.length,
          users: people.length,
          waiting: people.filter((u) => u.role === 'customer' && !u.organizationId).length,
          types: types.length,
        },
      });
    }),
  );

  // ---- organisations ------------------------------------------------------------------------
  r.get(
    '/admin/organizations',
    page(async (ctx) => {
      const [orgs, people] = await Promise.all([organizations(ctx), users(ctx)]);
      ctx.render('admin-organizations', {
        title: ctx.t('admin.orgs.title'),
        section: 'admin',
        adminSection: 'organizations',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.orgs.title') }),
        organizations: orgs.map((o) => ({
          ...o,
          members: people.filter((u) => u.organizationId === o.organizationId).length,
        })),
      });
    }),
  );

  const organizationForm = (ctx: PageContext, org: Organization | undefined, state: FormState, status = 200) => {
    const values = state.values ?? (org ? { ...org, emailDomains: org.emailDomains.join('\n') } : { kind: 'retailer' });
    const title = org ? ctx.t('admin.org.edit-title', { name: org.name }) : ctx.t('admin.org.new-title');
    ctx.render(
      'admin-organization',
      {
        title,
        section: 'admin',
        adminSection: 'organizations',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.orgs.title'), href: '/admin/organizations' }, { label: title }),
        org,
        values,
        kinds: PORTALS.map((k) => ({ value: k, label: ctx.t(`admin.kind.${k}`) })),
        errors: state.errors,
        message: state.message,
      },
      status,
    );
  };

  r.get(
    '/admin/organizations/new',
    page(async (ctx) => organizationForm(ctx, undefined, {})),
  );

  r.post(
    '/admin/organizations',
    form,
    page(async (ctx) => {
      const values = body(ctx);
      const input = organizationInput(values);
      const checked = formErrors(organizationCreateForm, input, ctx.locale);
      const retry = (state: FormState, status: number) =>
        organizationForm(ctx, undefined, { values, ...state }, status);
      if (checked.errors) return retry({ errors: domainErrors(ctx, checked.errors, input.emailDomains) }, 400);
      let created: Organization;
      try {
        created = await ctx.call<Organization>('identity', {
          method: 'POST',
          path: '/v1/organizations',
          json: checked.data,
        });
      } catch (err) {
        if (!refusal(err)) throw err;
        return retry(
          { errors: { ...fieldErrors(err), ...nameTaken(ctx, err) }, message: sentence(ctx, err) },
          err.status,
        );
      }
      ctx.flash('admin.flash.org-created', { name: created.name });
      ctx.redirect(`/admin/organizations/${encodeURIComponent(created.organizationId)}`);
    }),
  );

  const organization = (ctx: PageContext, organizationId: string) =>
    ctx
      .call<Organization>('identity', {
        method: 'GET',
        path: `/v1/organizations/${encodeURIComponent(organizationId)}`,
      })
      .catch(hide403);

  r.get(
    '/admin/organizations/:organizationId',
    page(async (ctx) => {
      const org = await organization(ctx, idOf(ctx, 'organizationId'));
      organizationForm(ctx, org, {});
    }),
  );

  r.post(
    '/admin/organizations/:organizationId',
    form,
    page(async (ctx) => {
      const org = await organization(ctx, idOf(ctx, 'organizationId'));
      const values = body(ctx);
      const input = organizationInput({ name: values.name, emailDomains: values.emailDomains });
      const checked = formErrors(organizationEditForm, input, ctx.locale);
      const retry = (state: FormState, status: number) => organizationForm(ctx, org, { values, ...state }, status);
      if (checked.errors) return retry({ errors: domainErrors(ctx, checked.errors, input.emailDomains) }, 400);
      let saved: Organization;
      try {
        saved = await ctx.call<Organization>('identity', {
          method: 'PATCH',
          path: `/v1/organizations/${encodeURIComponent(org.organizationId)}`,
          json: checked.data,
        });
      } catch (err) {
        if (!refusal(err)) throw err;
        return retry(
          { errors: { ...fieldErrors(err), ...nameTaken(ctx, err) }, message: sentence(ctx, err) },
          err.status,
        );
      }
      ctx.flash('admin.flash.org-saved', { name: saved.name });
      ctx.redirect(`/admin/organizations/${encodeURIComponent(org.organizationId)}`);
    }),
  );

  // ---- users --------------------------------------------------------------------------------
  const roleOptions = (ctx: PageContext) => USER_ROLES.map((v) => ({ value: v, label: ctx.t(`admin.role.${v}`) }));
  const orgOptions = (orgs: Organization[]) => orgs.map((o) => ({ value: o.organizationId, label: o.name }));
  /** Teams to tick: the known ones, those people belong to and those the catalogue routes to. */
  const teamChoices = async (ctx: PageContext, people: User[], extra: string[] = []) => {
    const types = await catalogue(ctx).catch(() => [] as RequestTypeDefinition[]);
    return [
      ...new Set([...KNOWN_TEAMS, ...people.flatMap((u) => u.teams), ...types.map((t) => t.defaultTeam), ...extra]),
    ]
      .filter((t) => /^[a-z][a-z0-9-]{1,31}$/.test(t))
      .sort();
  };

  r.get(
    '/admin/users',
    page(async (ctx) => {
      const query = ctx.req.query as Record<string, unknown>;
      const filter = {
        organization: typeof query.organization === 'string' ? query.organization : '',
        role: USER_ROLES.find((v) => v === query.role) ?? '',
        status: USER_STATUSES.find((v) => v === query.status) ?? '',
        q: typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '',
      };
      const byOrg = filter.organization && filter.organization !== 'none' ? filter.organization : undefined;
      const [orgs, people] = await Promise.all([organizations(ctx), users(ctx, byOrg)]);
      const names = new Map(orgs.map((o) => [o.organizationId, o.name]));
      const words = filter.q.toLocaleLowerCase();
      const shown = people.filter(
        (u) =>
          (filter.organization !== 'none' || (u.role === 'customer' && !u.organizationId)) &&
          (!filter.role || u.role === filter.role) &&
          (!filter.status || u.status === filter.status) &&
          (!words || `${u.fullName} ${u.email}`.toLocaleLowerCase().includes(words)),
      );
      ctx.render('admin-users', {
        title: ctx.t('admin.users.title'),
        section: 'admin',
        adminSection: 'users',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.users.title') }),
        filter,
        filtered: Boolean(filter.organization || filter.role || filter.status || filter.q),
        organizations: orgOptions(orgs),
        roles: roleOptions(ctx),
        statuses: USER_STATUSES.map((v) => ({ value: v, label: ctx.t(`admin.status.${v}`) })),
        inviteHref: byOrg ? `/admin/users/new?organizationId=${encodeURIComponent(byOrg)}` : '/admin/users/new',
        users: shown.map((u) => ({
          ...u,
          you: u.userId === ctx.me!.userId,
          organization: u.organizationId ? (names.get(u.organizationId) ?? u.organizationId) : undefined,
          waiting: u.role === 'customer' && !u.organizationId,
        })),
      });
    }),
  );

  const inviteFormPage = async (ctx: PageContext, state: FormState, status = 200) => {
    const [orgs, people] = await Promise.all([organizations(ctx), users(ctx)]);
    const values = state.values ?? {
      role: 'customer',
      locale: 'fr',
      organizationId: typeof ctx.req.query.organizationId === 'string' ? ctx.req.query.organizationId : '',
    };
    const ticked = listOf(values.teams);
    ctx.render(
      'admin-user-invite',
      {
        title: ctx.t('admin.invite.title'),
        section: 'admin',
        adminSection: 'users',
        breadcrumbs: crumbs(
          ctx,
          { label: ctx.t('admin.users.title'), href: '/admin/users' },
          { label: ctx.t('admin.invite.title') },
        ),
        values,
        roles: roleOptions(ctx),
        organizations: orgOptions(orgs),
        locales: [
          { value: 'fr', label: 'Français' },
          { value: 'en', label: 'English' },
        ],
        teams: (await teamChoices(ctx, people)).map((t) => ({ name: t, checked: ticked.includes(t) })),
        errors: state.errors,
        message: state.message,
      },
      status,
    );
  };

  r.get(
    '/admin/users/new',
    page(async (ctx) => inviteFormPage(ctx, {})),
  );

  r.post(
    '/admin/users',
    form,
    page(async (ctx) => {
      const values = body(ctx);
      const input = inviteInput(values);
      const checked = formErrors(inviteForm, input, ctx.locale);
      const errors = teamErrors(ctx, checked.errors ?? {}, (input.teams as string[] | undefined) ?? []);
      if (input.role === 'customer' && !input.organizationId) errors.organizationId = ctx.t('admin.user.org-required');
      const retry = (state: FormState, status: number) => inviteFormPage(ctx, { values, ...state }, status);
      if (checked.errors || Object.keys(errors).length > 0) return retry({ errors }, 400);
      let invited: User;
      try {
        invited = await ctx.call<User>('identity', { method: 'POST', path: '/v1/users', json: checked.data });
      } catch (err) {
        // An organisation deleted meanwhile is a 404 about the organisation, not this page.
        if (err instanceof ProblemError && err.status === 404) {
          return retry({ errors: { organizationId: ctx.t('admin.user.org-missing') } }, 400);
        }
        if (!refusal(err)) throw err;
        const taken: Record<string, string> =
          err.code === 'email_taken' ? { email: ctx.t('admin.error.email_taken') } : {};
        return retry({ errors: { ...fieldErrors(err), ...taken }, message: sentence(ctx, err) }, err.status);
      }
      ctx.flash('admin.flash.user-invited', { email: invited.email });
      ctx.redirect(`/admin/users/${encodeURIComponent(invited.userId)}`);
    }),
  );

  const user = (ctx: PageContext, userId: string) =>
    ctx.call<User>('identity', { method: 'GET', path: `/v1/users/${encodeURIComponent(userId)}` }).catch(hide403);

  const userPage = async (ctx: PageContext, person: User, state: FormState, status = 200) => {
    const [orgs, people] = await Promise.all([organizations(ctx), users(ctx)]);
    const values = state.values ?? {
      role: person.role,
      organizationId: person.organizationId ?? '',
      orgAdmin: person.orgAdmin ? 'true' : undefined,
      teams: person.teams,
    };
    const ticked = listOf(values.teams);
    const name = person.fullName || person.email;
    ctx.render(
      'admin-user',
      {
        title: name,
        section: 'admin',
        adminSection: 'users',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.users.title'), href: '/admin/users' }, { label: name }),
        person,
        you: person.userId === ctx.me!.userId,
        organization: orgs.find((o) => o.organizationId === person.organizationId),
        waiting: person.role === 'customer' && !person.organizationId,
        values,
        roles: roleOptions(ctx),
        organizations: orgOptions(orgs),
        teams: (await teamChoices(ctx, people, person.teams)).map((t) => ({ name: t, checked: ticked.includes(t) })),
        errors: state.errors,
        message: state.message,
      },
      status,
    );
  };

  r.get(
    '/admin/users/:userId',
    page(async (ctx) => userPage(ctx, await user(ctx, idOf(ctx, 'userId')), {})),
  );

  r.post(
    '/admin/users/:userId',
    form,
    page(async (ctx) => {
      const person = await user(ctx, idOf(ctx, 'userId'));
      const values = body(ctx);
      const changes = userChanges(person, values);
      const checked = formErrors(userEditForm, changes, ctx.locale);
      const errors = teamErrors(ctx, checked.errors ?? {}, (changes.teams as string[] | undefined) ?? []);
      const retry = (state: FormState, status: number) => userPage(ctx, person, { values, ...state }, status);
      if (checked.errors) return retry({ errors }, 400);
      try {
        await ctx.call('identity', {
          method: 'PATCH',
          path: `/v1/users/${encodeURIComponent(person.userId)}`,
          json: checked.data,
        });
      } catch (err) {
        if (err instanceof ProblemError && err.status === 404 && changes.organizationId) {
          return retry({ errors: { organizationId: ctx.t('admin.user.org-missing') } }, 400);
        }
        if (!refusal(err)) throw err;
        return retry({ errors: fieldErrors(err), message: sentence(ctx, err) }, err.status);
      }
      ctx.flash('admin.flash.user-saved', { name: person.fullName || person.email });
      ctx.redirect(`/admin/users/${encodeURIComponent(person.userId)}`);
    }),
  );

  for (const change of ['deactivate', 'reactivate'] as const) {
    r.post(
      `/admin/users/:userId/${change}`,
      form,
      page(async (ctx) => {
        const person = await user(ctx, idOf(ctx, 'userId'));
        try {
          await ctx.call('identity', {
            method: 'POST',
            path: `/v1/users/${encodeURIComponent(person.userId)}/${change}`,
          });
        } catch (err) {
          if (!refusal(err)) throw err;
          return userPage(ctx, person, { message: sentence(ctx, err) }, err.status);
        }
        ctx.flash(`admin.flash.user-${change}d`, { name: person.fullName || person.email });
        ctx.redirect(`/admin/users/${encodeURIComponent(person.userId)}`);
      }),
    );
  }

  const erasePage = (ctx: PageContext, person: User, message?: string, status = 200) => {
    const name = person.fullName || person.email;
    ctx.render(
      'admin-user-erase',
      {
        title: ctx.t('admin.erase.title', { name }),
        section: 'admin',
        adminSection: 'users',
        breadcrumbs: crumbs(
          ctx,
          { label: ctx.t('admin.users.title'), href: '/admin/users' },
          { label: name, href: `/admin/users/${encodeURIComponent(person.userId)}` },
          { label: ctx.t('admin.erase.crumb') },
        ),
        person,
        name,
        message,
      },
      status,
    );
  };

  r.get(
    '/admin/users/:userId/erase',
    page(async (ctx) => {
      const person = await user(ctx, idOf(ctx, 'userId'));
      if (person.userId === ctx.me!.userId) throw notFound();
      erasePage(ctx, person);
    }),
  );

  r.post(
    '/admin/users/:userId/erase',
    form,
    page(async (ctx) => {
      const person = await user(ctx, idOf(ctx, 'userId'));
      // Nobody erases their own account from here: another admin does it.
      if (person.userId === ctx.me!.userId) throw notFound();
      try {
        await ctx.call('identity', { method: 'POST', path: `/v1/users/${encodeURIComponent(person.userId)}/erase` });
      } catch (err) {
        if (!refusal(err)) throw err;
        return erasePage(ctx, person, sentence(ctx, err), err.status);
      }
      ctx.flash('admin.flash.user-erased');
      ctx.redirect('/admin/users');
    }),
  );

  // ---- request-type catalogue ---------------------------------------------------------------
  r.get(
    '/admin/catalogue',
    page(async (ctx) => {
      ctx.render('admin-catalogue', {
        title: ctx.t('admin.catalogue.title'),
        section: 'admin',
        adminSection: 'catalogue',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.catalogue.title') }),
        types: (await catalogue(ctx)).map((t) => ({ ...t, categoryLabel: CATEGORIES[t.category] })),
      });
    }),
  );

  const typeKey = (ctx: PageContext): string => {
    const parsed = requestTypeParams.safeParse({ key: ctx.req.params.key });
    if (!parsed.success) throw notFound();
    return parsed.data.key;
  };
  const requestType = (ctx: PageContext, key: string) =>
    ctx.call<RequestTypeDefinition>('tickets', { method: 'GET', path: `/v1/catalogue/${key}` });

  const typeForm = (ctx: PageContext, type: RequestTypeDefinition, state: FormState, status = 200) => {
    const label = type.label[ctx.locale];
    ctx.render(
      'admin-request-type',
      {
        title: ctx.t('admin.type.edit-title', { label }),
        section: 'admin',
        adminSection: 'catalogue',
        breadcrumbs: crumbs(ctx, { label: ctx.t('admin.catalogue.title'), href: '/admin/catalogue' }, { label }),
        type,
        label,
        values: state.values ?? typeFormValues(type),
        categories: Object.entries(CATEGORIES).map(([value, text]) => ({ value, label: text[ctx.locale] })),
        portals: PORTALS.map((p) => ({ value: p, label: ctx.t(`admin.portal.${p}`) })),
        slaPolicies: SLA_POLICIES.map((p) => ({ value: p, label: ctx.t(`admin.sla.${p}`) })),
        versions: Array.from({ length: type.version }, (_, i) => type.version - i),
        errors: state.errors,
        message: state.message,
      },
      status,
    );
  };

  r.get(
    '/admin/catalogue/:key',
    page(async (ctx) => typeForm(ctx, await requestType(ctx, typeKey(ctx)), {})),
  );

  r.post(
    '/admin/catalogue/:key',
    form,
    page(async (ctx) => {
      const key = typeKey(ctx);
      const type = await requestType(ctx, key);
      const posted = body(ctx);
      const values = typeFormRepost(posted);
      const { definition, fieldsSyntax } = definitionFromForm(posted);
      const checked = formErrors(requestTypeBody, definition, ctx.locale);
      const errors = typeFormErrors(checked.errors ?? {}, ctx.t);
      if (fieldsSyntax) {
        errors.fields =
          fieldsSyntax.line !== undefined
            ? ctx.t('admin.catalogue.fields-syntax-at', fieldsSyntax)
            : ctx.t('admin.catalogue.fields-syntax');
      }
      const retry = (state: FormState, status: number) => typeForm(ctx, type, { values, ...state }, status);
      if (checked.errors || fieldsSyntax) return retry({ errors }, 400);
      let saved: RequestTypeDefinition;
      try {
        saved = await ctx.call<RequestTypeDefinition>('tickets', {
          method: 'PUT',
          path: `/v1/catalogue/${key}`,
          json: checked.data,
        });
      } catch (err) {
        if (!refusal(err)) throw err;
        return retry({ errors: typeFormErrors(fieldErrors(err), ctx.t), message: sentence(ctx, err) }, err.status);
      }
      ctx.flash('admin.flash.type-saved', { label: saved.label[ctx.locale], version: String(saved.version) });
      ctx.redirect(`/admin/catalogue/${key}`);
    }),
  );

  r.get(
    '/admin/catalogue/:key/versions/:version',
    page(async (ctx) => {
      const key = typeKey(ctx);
      const version = z.coerce.number().int().min(1).max(1_000_000).safeParse(ctx.req.params.version);
      if (!version.success) throw notFound();
      const [current, shown] = await Promise.all([
        requestType(ctx, key),
        ctx.call<RequestTypeDefinition>('tickets', {
          method: 'GET',
          path: `/v1/catalogue/${key}/versions/${version.data}`,
        }),
      ]);
      const label = current.label[ctx.locale];
      ctx.render('admin-request-type-version', {
        title: ctx.t('admin.version.title', { label: shown.label[ctx.locale], version: version.data }),
        section: 'admin',
        adminSection: 'catalogue',
        breadcrumbs: crumbs(
          ctx,
          { label: ctx.t('admin.catalogue.title'), href: '/admin/catalogue' },
          { label, href: `/admin/catalogue/${key}` },
          { label: ctx.t('admin.version.crumb', { version: version.data }) },
        ),
        key,
        shown,
        current: version.data === current.version,
        currentVersion: current.version,
        previous: version.data > 1 ? version.data - 1 : undefined,
        next: version.data < current.version ? version.data + 1 : undefined,
        categoryLabel: CATEGORIES[shown.category],
        json: JSON.stringify(shown.fields ?? [], null, 2),
      });
    }),
  );

  return r;
}

/** Email domains refused by the schema, named in the page's words next to the domains' control. */
function domainErrors(ctx: PageContext, errors: Record<string, string>, domains: string[]) {
  return foldItemErrors(errors, 'emailDomains', domains, (domain) => ctx.t('admin.org.domain-invalid', { domain }));
}

/** Teams refused by the schema (not a lowercase name), named next to the teams' controls. */
function teamErrors(ctx: PageContext, errors: Record<string, string>, teams: string[]) {
  return foldItemErrors(errors, 'teams', teams, (team) => ctx.t('admin.user.team-invalid', { team }));
}

/** The 409 of a name another organisation has, next to the name. */
function nameTaken(ctx: PageContext, err: ProblemError): Record<string, string> {
  return err.code === 'organization_exists' ? { name: ctx.t('admin.error.organization_exists') } : {};
}
