import express, { type Router } from 'express';
import { z } from 'zod';
import {
  decidesFate,
  FATE_ACTIONS as FATE,
  hasOrganization,
  mayUnshare,
  referenceParams,
  TICKET_STATUSES,
  ticketActionPayloads,
  ticketListQuery,
  type TicketPage,
  type ticketDetailSchema,
  type attachmentSchema,
} from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../problems';
import { form } from './account-pages';
import { formatDate, formErrors, type Locale } from './i18n';
import { fieldErrors, type PageContext, type PageKit } from './kit';
import { agentView, STAFF_FORMS, staffActionPayload } from './agent-view';
import { insertableAnswers, offerOnRequest } from './canned/insert';
import { catalogueOf } from './lookups';
import { promiseLines } from './request-promise';
import { csatPanel } from './csat/presenter';
import { attachFiles, checkFiles, withUploads, type RequestType, type UploadedFile } from './portal-pages';

export type TicketDetail = z.infer<typeof ticketDetailSchema>;
type Ticket = TicketDetail['ticket'];
type Activity = Ticket['activity'][number];
type Attachment = z.infer<typeof attachmentSchema>;

/** The customer's transitions, with the guide's labels, and the text each one asks for (checked with the contract's payload schema). */
export const CUSTOMER_ACTIONS: Record<string, { needs?: 'body' | 'reason'; style?: 'secondary' }> = {
  provideInformation: { needs: 'body' },
  acceptResolution: {},
  rejectResolution: { needs: 'reason', style: 'secondary' },
  acceptRejection: {},
  contestRejection: { needs: 'reason', style: 'secondary' },
  reopen: { needs: 'reason' },
};

/**
 * The actions that decide a request's fate (the contract's FATE_ACTIONS): its requester and the
 * people the requester shared it with take them, the rest of its organisation does not (the
 * tickets service leaves them out of `allowed` and refuses them with `role_not_allowed`); the
 * page says so rather than "no longer possible".
 */
const FATE_ACTIONS: ReadonlySet<string> = FATE;

/** The statuses in which the requester (and those it is shared with) decide what comes next. */
const AWAITING_DECISION = new Set(['resolved', 'rejected', 'done']);

const actionName = z.string().regex(/^[a-zA-Z]{1,40}$/);

/** One activity entry as a sentence of the guide ("L'état de votre demande est désormais En cours."). */
export function activityView(entry: Activity, ctx: PageContext, people: Map<string, string>) {
  const t = ctx.t;
  const automatic = entry.actor.role === 'system' || entry.kind === 'status_changed';
  const who = automatic ? t('activity.automatic') : entry.actor.name || t('activity.someone');
  const status = (code?: string) => (code ? t(`status.${code}`) : '');
  const data = entry.data ?? {};
  let text: string;
  switch (entry.kind) {
    case 'created':
      text = t('activity.created');
      break;
    case 'status_changed':
      text = t('activity.status', { status: status(entry.to) });
      break;
    case 'qualified':
      text = t(data.billable ? 'activity.qualified-billable' : 'activity.qualified', {
        priority: t(`priority.${String(data.priority)}`),
      });
      break;
    case 'assigned':
      text = data.agentId
        ? t('activity.assigned', {
            who: people.get(String(data.agentId)) ?? String(data.agentId),
            team: String(data.team ?? ''),
          })
        : t('activity.assigned-team', { team: String(data.team ?? '') });
      break;
    case 'priority_changed':
      text = t('activity.priority', { from: t(`priority.${String(data.from)}`), to: t(`priority.${String(data.to)}`) });
      break;
    case 'shared':
    case 'unshared':
      text = t(`activity.${entry.kind}`, { people: (entry.people ?? []).map((p) => p.name).join(', ') });
      break;
    case 'attachment':
      text = t('activity.attachment', { name: String(data.filename ?? '') });
      break;
    case 'sla_warning':
    case 'sla_breached':
      text = t(`activity.${entry.kind}`, { clock: t(`sla.${String(data.clock)}`) });
      break;
    case 'validation_reminder':
      text = t('activity.validation-reminder');
      break;
    case 'rated':
      text = t('activity.rated', { score: data.score });
      break;
    default:
      text = '';
  }
  return {
    ...entry,
    who,
    text,
    internal: entry.visibility === 'internal',
    attachmentId: entry.kind === 'attachment' ? data.attachmentId : undefined,
    // How it came when not through the portal: an emailed reply, a request opened by email.
    channel: data.channel === 'email' ? t('activity.by-email') : undefined,
  };
}

/** "Demandes" and the request page with everything a customer (and, through agent-view, an agent) does there. */
export function requestPages(kit: PageKit): Router {
  const r = express.Router();

  // ---- "Demandes" ---------------------------------------------------------------------------
  r.get(
    '/requests',
    kit.page('user', async (ctx) => {
      const raw = ctx.req.query as Record<string, string | undefined>;
      const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string' && v !== ''));
      const parsed = ticketListQuery.safeParse({ ...given, limit: 25 });
      const query = parsed.success ? parsed.data : ticketListQuery.parse({ limit: 25 });
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const [page, catalogue] = await Promise.all([
        ctx.call<TicketPage>('tickets', { method: 'GET', path: `/v1/tickets?${params.toString()}` }),
        catalogueOf(ctx),
      ]);
      const types = new Map(catalogue.map((t) => [t.key, t]));
      const filters = new URLSearchParams(params);
      filters.delete('cursor');
      filters.delete('limit');
      ctx.render('requests', {
        title: ctx.t('requests.title'),
        section: 'requests',
        query,
        invalidQuery: !parsed.success,
        rows: page.items.map((row) => ({ ...row, type: types.get(row.requestType) })),
        statuses: ['open', 'all', ...TICKET_STATUSES.filter((s) => s !== 'open')],
        // "Mon organisation" for customers who have one.
        scopes:
          ctx.me!.role === 'customer' && ctx.me!.organizationId
            ? ['all', 'created', 'organization', 'shared']
            : ['all', 'created', 'shared'],
        requestTypes: catalogue,
        next: page.nextCursor ? `/requests?${filters.toString()}&cursor=${encodeURIComponent(page.nextCursor)}` : null,
        first: query.cursor ? `/requests?${filters.toString()}` : null,
      });
    }),
  );

  // ---- the request page ---------------------------------------------------------------------
  const referenceOf = (ctx: PageContext): string => {
    const parsed = referenceParams.safeParse({ reference: ctx.req.params.reference });
    if (!parsed.success) throw problem('ticket_not_found');
    return parsed.data.reference;
  };
  /** The person a sharing form names. */
  const personOf = (ctx: PageContext) =>
    z
      .string()
      .min(1)
      .max(64)
      .safeParse((ctx.req.body as Record<string, string>).userId);
  const ticketPath = (reference: string, suffix = '') => `/v1/tickets/${encodeURIComponent(reference)}${suffix}`;

  /** Renders the request page; after a refused form, with its errors and the values typed. */
  async function show(
    ctx: PageContext,
    reference: string,
    extra: { errors?: Record<string, string>; message?: string; values?: Record<string, string>; form?: string } = {},
    status = 200,
  ): Promise<void> {
    const detail = await loadDetail(ctx, reference);
    const { ticket, allowed } = detail;
    const me = ctx.me!;
    const staff = me.role !== 'customer';
    const [type, attachments, colleagues, cannedAnswers] = await Promise.all([
      ctx
        .call<RequestType>('tickets', {
          method: 'GET',
          path: `/v1/catalogue/${encodeURIComponent(ticket.requestType)}/versions/${ticket.requestTypeVersion ?? 1}`,
        })
        .catch(() => undefined),
      ctx.call<{ items: Attachment[] }>('tickets', { method: 'GET', path: ticketPath(reference, '/attachments') }),
      shareCandidates(ctx, ticket, allowed),
      staff ? insertableAnswers(ctx) : [],
    ]);
    const agent = staff ? await agentView(ctx, detail, extra) : undefined;
    const canned =
      agent && offerOnRequest(ctx, { reference, ticket, type, requesterLocale: agent.requesterLocale }, cannedAnswers);
    const people = new Map<string, string>([...(agent?.names ?? []), [ticket.requester.id, ticket.requester.name]]);
    const locale: Locale = ctx.locale;
    const details = (type?.fields ?? [])
      .filter((f) => ticket.fields?.[f.key] !== undefined)
      .map((f) => ({ label: f.label[locale], value: fieldValue(ctx, f, ticket.fields![f.key]) }));
    const asked = typeof ctx.req.query.action === 'string' ? ctx.req.query.action : undefined;
    const focus = asked ?? extra.form;
    // An email's button ("Valider la réponse") opened the page after the request moved on.
    const decides = staff || decidesFate(me, ticket);
    const stale =
      asked !== undefined && asked in CUSTOMER_ACTIONS && !allowed.includes(asked)
        ? !decides && FATE_ACTIONS.has(asked)
          ? ctx.t('request.decided-by-requester')
          : ctx.t('request.refused-now', { status: ctx.t(`status.${ticket.status}`) })
        : undefined;
    const actions = allowed
      .filter((a) => a in CUSTOMER_ACTIONS)
      .map((name) => ({
        name,
        ...CUSTOMER_ACTIONS[name],
        label: ctx.t(`action.${name}`),
        focused: focus === name,
        value: extra.form === name ? extra.values?.[CUSTOMER_ACTIONS[name]!.needs ?? ''] : undefined,
        error: extra.form === name ? extra.errors?.[CUSTOMER_ACTIONS[name]!.needs ?? ''] : undefined,
      }))
      // The action an email's button asked for comes first.
      .sort((a, b) => Number(b.focused) - Number(a.focused));
    const activity = ticket.activity.map((e) => activityView(e, ctx, people));
    ctx.render(
      'request',
      {
        title: `${reference} ${ticket.summary}`,
        section: staff ? 'agent' : 'requests',
        breadcrumbs: [{ label: ctx.t('requests.title'), href: '/requests' }, { label: reference }],
        reference,
        ticket,
        type,
        details,
        activity: staff ? activity : activity.filter((e) => !e.internal),
        attachments: attachments.items,
        actions,
        // "Êtes-vous satisfait de la réponse ?" while TERMINÉ and unrated; the rating once given.
        csat: csatPanel(ctx, ticket, reference, allowed),
        focus,
        canComment: allowed.includes('comment') || allowed.includes('reply'),
        commentError: extra.form === 'comment' ? extra.errors?.body : undefined,
        commentValue: extra.form === 'comment' ? extra.values?.body : canned?.text,
        canned,
        notifications: detail.notifications,
        colleagues,
        canShare: colleagues.length > 0,
        // "Retirer" next to the people the caller may remove: anyone for the requester and the
        // team, oneself for the others.
        shares: (ticket.sharedWith ?? []).map((p) => ({
          ...p,
          removable: allowed.includes('unshare') && mayUnshare(me, ticket, p.id),
        })),
        // Seen by its organisation's members unless confidential; a customer of no organisation has none.
        organizationSees: !ticket.confidential && hasOrganization(ticket),
        canAttach: ticket.status !== 'closed',
        errors: extra.errors,
        message: extra.message ?? stale,
        isRequester: ticket.requester.id === me.userId,
        // A colleague on a request awaiting its requester's decision: why there is no button.
        decidedByOthers: !decides && AWAITING_DECISION.has(ticket.status) && stale === undefined,
        agent,
        // What the customer is promised (the agent panel shows the clocks themselves).
        promise: staff ? [] : promiseLines(ticket, ctx.t, locale),
      },
      status,
    );
  }

  r.get(
    '/requests/:reference',
    kit.page('user', async (ctx) => {
      await show(ctx, referenceOf(ctx));
    }),
  );

  /** After a refused form: the page again, with the reason at the top and the values kept. */
  const refusedForm = async (ctx: PageContext, reference: string, formName: string, err: unknown) => {
    if (!(err instanceof ProblemError) || err.status >= 500 || err.status === 401 || err.status === 404) throw err;
    const status = err.headers['x-ticket-status'];
    const message =
      err.code === 'request_closed'
        ? ctx.t('error.request_closed')
        : err.code === 'role_not_allowed' && FATE_ACTIONS.has(formName)
          ? ctx.t('request.decided-by-requester')
          : err.code === 'forbidden' && formName === 'share'
            ? ctx.t('request.share-forbidden')
            : err.code === 'role_not_allowed'
              ? ctx.t('request.role-refused')
              : err.status === 409 && status
                ? ctx.t('request.refused-now', { status: ctx.t(`status.${status}`) })
                : kit.sentence(ctx, err);
    const values = ctx.req.body as Record<string, string>;
    await show(ctx, reference, { form: formName, message, errors: fieldErrors(err), values }, err.status);
  };

  const act = async (ctx: PageContext, reference: string, action: string, payload: Record<string, unknown>) => {
    await ctx.call('tickets', {
      method: 'POST',
      path: ticketPath(reference, `/actions/${action}`),
      json: { payload },
    });
  };

  r.post(
    '/requests/:reference/actions/:action',
    form,
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      const action = actionName.safeParse(ctx.req.params.action);
      if (!action.success) throw problem('not_found');
      const body = ctx.req.body as Record<string, string>;
      const customer = CUSTOMER_ACTIONS[action.data];
      let payload: Record<string, unknown>;
      if (customer) {
        payload = {};
        if (customer.needs) {
          const schema = ticketActionPayloads[action.data as keyof typeof ticketActionPayloads];
          const checked = formErrors(schema, body, ctx.locale);
          if (checked.errors) {
            return show(ctx, reference, { form: action.data, errors: checked.errors, values: body }, 400);
          }
          payload = checked.data;
        }
      } else {
        if (ctx.me!.role === 'customer' && action.data in STAFF_FORMS) {
          // An agent's form sent by a customer (a hand-made request): refused as the API would.
          return show(ctx, reference, { form: action.data, message: ctx.t('request.role-refused') }, 409);
        }
        const staff = staffActionPayload(ctx, action.data, body);
        if (!staff) throw problem('not_found');
        if ('errors' in staff)
          return show(ctx, reference, { form: action.data, errors: staff.errors, values: body }, 400);
        payload = staff.payload;
      }
      try {
        await act(ctx, reference, action.data, payload);
      } catch (err) {
        return refusedForm(ctx, reference, action.data, err);
      }
      ctx.flash(`done.${action.data}`);
      ctx.redirect(`/requests/${reference}`);
    }),
  );

  r.post(
    '/requests/:reference/comment',
    form,
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      const body = ctx.req.body as Record<string, string>;
      const checked = formErrors(ticketActionPayloads.comment, body, ctx.locale);
      if (checked.errors) return show(ctx, reference, { form: 'comment', errors: checked.errors, values: body }, 400);
      const customer = ctx.me!.role === 'customer';
      const action = customer ? 'comment' : body.internal === 'true' ? 'addInternalNote' : 'reply';
      try {
        await act(ctx, reference, action, { body: checked.data.body });
      } catch (err) {
        return refusedForm(ctx, reference, 'comment', err);
      }
      ctx.flash(`done.${action}`);
      ctx.redirect(`/requests/${reference}#activity`);
    }),
  );

  r.post(
    '/requests/:reference/notifications',
    form,
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      // Whether the caller may see the request is the tickets service's to say.
      await ctx.call('tickets', { method: 'GET', path: ticketPath(reference) });
      const enabled = (ctx.req.body as Record<string, string>).enabled === 'true';
      await ctx.call('notifications', {
        method: 'PUT',
        path: `/v1/preferences/tickets/${encodeURIComponent(reference)}`,
        json: { enabled },
      });
      ctx.flash(enabled ? 'done.notifications-on' : 'done.notifications-off');
      ctx.redirect(`/requests/${reference}`);
    }),
  );

  r.post(
    '/requests/:reference/share',
    form,
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      const userId = personOf(ctx);
      if (!userId.success) {
        return show(ctx, reference, { form: 'share', errors: { userId: ctx.t('form.required') } }, 400);
      }
      try {
        await ctx.call('tickets', {
          method: 'POST',
          path: ticketPath(reference, '/share'),
          json: { userIds: [userId.data] },
        });
      } catch (err) {
        return refusedForm(ctx, reference, 'share', err);
      }
      ctx.flash('done.share');
      ctx.redirect(`/requests/${reference}`);
    }),
  );

  r.post(
    '/requests/:reference/unshare',
    form,
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      const userId = personOf(ctx);
      if (!userId.success) throw problem('not_found');
      try {
        await ctx.call('tickets', {
          method: 'DELETE',
          path: ticketPath(reference, `/share/${encodeURIComponent(userId.data)}`),
        });
      } catch (err) {
        return refusedForm(ctx, reference, 'share', err);
      }
      ctx.flash('done.unshare');
      ctx.redirect(`/requests/${reference}`);
    }),
  );

  r.post(
    '/requests/:reference/attachments',
    kit.page(
      'user',
      async (ctx) => {
        const reference = referenceOf(ctx);
        const files = (ctx.req.files as UploadedFile[] | undefined) ?? [];
        const problem =
          checkFiles(ctx, files, (ctx.req as { uploadError?: string }).uploadError) ??
          (files.length === 0 ? ctx.t('attachments.none') : undefined);
        if (problem) return show(ctx, reference, { form: 'attachments', errors: { attachments: problem } }, 400);
        const refused = await attachFiles(ctx, reference, files);
        if (refused.length > 0) ctx.flash('attachments.refused', { files: refused.join(', ') });
        else ctx.flash('done.attach');
        ctx.redirect(`/requests/${reference}#attachments`);
      },
      { body: withUploads('attachments') },
    ),
  );

  r.get(
    '/requests/:reference/attachments/:attachmentId',
    kit.page('user', async (ctx) => {
      const reference = referenceOf(ctx);
      const id = z
        .string()
        .regex(/^[a-f0-9]{24}$/)
        .safeParse(ctx.req.params.attachmentId);
      if (!id.success) throw problem('attachment_not_found');
      const upstream = await ctx.deps.upstreams.call('tickets', ctx.req, {
        method: 'GET',
        path: ticketPath(reference, `/attachments/${id.data}`),
        identity: ctx.me,
        headers: { accept: '*/*' },
      });
      await ctx.deps.upstreams.relay('tickets', ctx.req, upstream, ctx.res);
    }),
  );

  return r;
}

/** The detail with this user's "Notifications activées" toggle (null while notifications is down). */
async function loadDetail(ctx: PageContext, reference: string): Promise<TicketDetail> {
  const path = `/v1/tickets/${encodeURIComponent(reference)}`;
  const view = await ctx.call<Omit<TicketDetail, 'notifications'>>('tickets', { method: 'GET', path });
  const notifications = await ctx
    .call<{ enabled: boolean }>('notifications', {
      method: 'GET',
      path: `/v1/preferences/tickets/${encodeURIComponent(reference)}`,
    })
    .then((p) => ({ enabled: p.enabled }))
    .catch((err: unknown) => {
      ctx.req.log.warn({ err }, 'notification preference unavailable; page served without it');
      return null;
    });
  return { ...view, notifications };
}

/** People of the request's organisation it may still be shared with (none for a confidential one). */
async function shareCandidates(ctx: PageContext, ticket: Ticket, allowed: string[]) {
  if (ticket.confidential || !allowed.includes('share') || ticket.status === 'closed') return [];
  const users = await ctx
    .call<{ items: Array<{ userId: string; fullName: string; email: string; role: string; status: string }> }>(
      'identity',
      { method: 'GET', path: `/v1/users?organizationId=${encodeURIComponent(ticket.organizationId)}` },
    )
    .catch(() => ({ items: [] }));
  // Never the caller: sharing a request with oneself is no way to take its requester's decisions.
  const taken = new Set([ctx.me?.userId, ticket.requester.id, ...ticket.sharedWith.map((p) => p.id)]);
  return users.items.filter((u) => u.role === 'customer' && u.status === 'active' && !taken.has(u.userId));
}

/** A field's value as a person reads it: the option's label, a date in Paris, a list one per line. */
function fieldValue(ctx: PageContext, field: RequestType['fields'][number], value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (field.type === 'select') {
    return field.options?.find((o) => o.value === value)?.label[ctx.locale] ?? String(value);
  }
  if (field.type === 'datetime' && typeof value === 'string') return formatDate(value, ctx.locale);
  return String(value);
}
