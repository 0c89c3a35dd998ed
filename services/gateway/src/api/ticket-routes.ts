import {
  ACTIONS_BY_ROUTE,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  ATTACHMENTS_PER_TICKET,
  attachmentParams,
  attachmentQuery,
  attachmentSchema,
  catalogueQuery,
  catalogueSchema,
  createTicketBody,
  deliveryQuery,
  deliverySchema,
  preferenceBody,
  preferenceSchema,
  queueCounts,
  queuePageQuery,
  queueParams,
  referenceParams,
  requestTypeBody,
  requestTypeParams,
  requestTypeVersionParams,
  requestTypeSchema,
  shareBody,
  ticketActionBodies,
  ticketActionPayloads,
  ticketDetailSchema,
  ticketListQuery,
  ticketPage,
  ticketViewSchema,
  unshareParams,
} from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { z } from 'zod';
import { forward, type ApiRoute } from './route';

const NOT_FOUND = { 404: ['ticket_not_found'] } as const;
const MIB = 1024 * 1024;
/** A closed request refuses every change with `request_closed`; the workflow refuses the rest. */
const REFUSED = [
  'request_closed',
  'action_not_allowed_in_status',
  'role_not_allowed',
  'conversation_limit_reached',
] as const;
const REFUSAL_HEADERS = {
  'X-Allowed-Actions': 'On a 409: the actions the caller may take now, comma-separated',
  'X-Ticket-Status': 'On a 409: the current status',
};

const ticketPath =
  (suffix = '') =>
  (p: Record<string, string>) =>
    `/v1/tickets/${p.reference}${suffix}`;

const commentBody = z.object({
  body: ticketActionPayloads.comment.shape.body,
  internal: z.boolean().default(false).describe('Agents: an internal note, never shown to customers'),
});
/** Actions whose entries may come by email: the tickets service alone says so (`channel`). */
const CHANNELLED = new Set<string>(['reply', 'comment', 'provideInformation']);

/** What each action does, as the operation's summary. */
const ACTION_SUMMARIES: Record<(typeof ACTIONS_BY_ROUTE)[number], string> = {
  qualify: 'Qualify (agents): priority, billing, type; with an assignment → ATTRIBUÉ',
  assign: 'Assign (agents) to an agent or a team; from OUVERT → ATTRIBUÉ',
  start: 'Start working on it (agents): ATTRIBUÉ → EN COURS',
  requestInformation: 'Ask the customer a question (agents): → EN ATTENTE CLIENT',
  reply: 'Reply publicly (agents)',
  addInternalNote: 'Add an internal note (agents), never shown to customers',
  changePriority: 'Change the priority (agents)',
  resolve: 'Answer (agents): EN COURS → RÉSOLU, for the customer to validate',
  reject: 'Reject the request (agents), with the reason: → REJETÉ',
  provideInformation: 'Give the information asked for (customers): back to where it was',
  comment: 'Comment (customers)',
  acceptResolution: 'Validate the answer (customers): RÉSOLU → TERMINÉ',
  rejectResolution: 'Reject the answer (customers), saying why: RÉSOLU → EN COURS',
  acceptRejection: 'Accept the rejection (customers): REJETÉ → CLÔTURÉ',
  contestRejection: 'Contest the rejection (customers), saying why: REJETÉ → OUVERT',
  reopen: 'Reopen (customers), saying why: TERMINÉ → EN COURS',
  rate: 'Rate the answer (the requester): 1–5 and a comment, once each time the request becomes TERMINÉ',
};
const attachmentList = z.object({ items: z.array(attachmentSchema) });
const deliveryList = z.object({ items: z.array(deliverySchema) });

export const ticketRoutes: ApiRoute[] = [
  {
    method: 'get',
    path: '/catalogue',
    operationId: 'listRequestTypes',
    summary: 'The request types of a portal, in their four categories',
    tag: 'Catalogue',
    auth: 'user',
    query: catalogueQuery,
    responses: { 200: { description: 'Request types', schema: catalogueSchema } },
    handle: forward('tickets', () => '/v1/catalogue'),
  },
  {
    method: 'get',
    path: '/catalogue/{key}',
    operationId: 'getRequestType',
    summary: 'One request type and its form',
    tag: 'Catalogue',
    auth: 'user',
    params: requestTypeParams,
    responses: { 200: { description: 'The request type', schema: requestTypeSchema } },
    errors: { 404: ['request_type_not_found'] },
    handle: forward('tickets', (p) => `/v1/catalogue/${p.key}`),
  },
  {
    method: 'get',
    path: '/catalogue/{key}/versions/{version}',
    operationId: 'getRequestTypeVersion',
    summary: 'A request type as it was at one version (the form older requests were filed with)',
    tag: 'Catalogue',
    auth: 'user',
    params: requestTypeVersionParams,
    responses: { 200: { description: 'The request type at that version', schema: requestTypeSchema } },
    errors: { 404: ['request_type_not_found'] },
    handle: forward('tickets', (p) => `/v1/catalogue/${p.key}/versions/${p.version}`),
  },
  {
    method: 'put',
    path: '/catalogue/{key}',
    operationId: 'putRequestType',
    summary: 'Create or replace a request type (admins); its version is bumped',
    tag: 'Catalogue',
    auth: 'user',
    params: requestTypeParams,
    body: requestTypeBody,
    responses: { 200: { description: 'The request type as stored', schema: requestTypeSchema } },
    errors: { 403: ['forbidden'] },
    handle: forward('tickets', (p) => `/v1/catalogue/${p.key}`),
  },
  {
    method: 'get',
    path: '/tickets',
    operationId: 'listTickets',
    summary: 'The "Demandes" list: filtered, sorted, a page at a time',
    tag: 'Tickets',
    auth: 'user',
    query: ticketListQuery,
    responses: { 200: { description: 'A page of requests', schema: ticketPage } },
    errors: { 400: ['invalid_cursor'] },
    handle: forward('tickets', () => '/v1/tickets'),
  },
  {
    method: 'post',
    path: '/tickets',
    operationId: 'createTicket',
    summary: 'File a request',
    description:
      "The form is checked against the request type's fields (see the catalogue). A retry with the same " +
      '`Idempotency-Key` returns the first request.',
    tag: 'Tickets',
    auth: 'user',
    idempotent: true,
    body: createTicketBody,
    responses: {
      201: { description: 'Created', schema: ticketViewSchema, headers: { Location: 'The new request' } },
    },
    errors: { 422: ['idempotency_key_reused'] },
    // It may wait its turn in the tickets service's create queue (503 with Retry-After when full).
    handle: forward('tickets', () => '/v1/tickets', { queued: true }),
  },
  {
    method: 'get',
    path: '/tickets/{reference}',
    operationId: 'getTicket',
    summary: 'A request with its activity',
    description: 'A request the caller may not see answers 404, as one that does not exist.',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    responses: { 200: { description: 'The request', schema: ticketDetailSchema } },
    errors: NOT_FOUND,
    async handle({ req, res, caller, params, upstreams }) {
      const reference = encodeURIComponent(params.reference!);
      const identity = caller!.identity;
      const detail = await upstreams.json<Record<string, unknown>>('tickets', req, {
        method: 'GET',
        path: `/v1/tickets/${reference}`,
        identity,
      });
      // The toggle is the notifications service's: the page still shows while it is down.
      const notifications = await upstreams
        .json<{ enabled: boolean }>('notifications', req, {
          method: 'GET',
          path: `/v1/preferences/tickets/${reference}`,
          identity,
        })
        .then(({ body }) => ({ enabled: body.enabled }))
        .catch((err: unknown) => {
          req.log.warn({ err }, 'notification preference unavailable; detail served without it');
          return null;
        });
      res.status(200).json({ ...detail.body, notifications });
    },
  },
  // One operation per action, each documenting its own payload (the contract's schema).
  ...ACTIONS_BY_ROUTE.map((action): ApiRoute => ({
    method: 'post',
    path: `/tickets/{reference}/actions/${action}`,
    operationId: `ticketAction${action[0]!.toUpperCase()}${action.slice(1)}`,
    summary: ACTION_SUMMARIES[action],
    description:
      'The workflow refuses what the status or the role does not allow (409, with the actions allowed now); ' +
      'a closed request (CLÔTURÉ) refuses every action with 409 `request_closed`. ' +
      'A retry with the same `Idempotency-Key` has its first effect only.',
    tag: 'Ticket actions',
    auth: 'user',
    params: referenceParams,
    idempotent: true,
    body: ticketActionBodies[action],
    responses: { 200: { description: 'The new state', schema: ticketViewSchema, headers: REFUSAL_HEADERS } },
    errors: {
      ...NOT_FOUND,
      409: REFUSED,
      ...(action === 'assign' || action === 'qualify' ? { 422: ['assignee_not_agent', 'assignee_not_in_team'] } : {}),
      ...(action === 'rate' ? { 409: [...REFUSED, 'already_rated'] } : {}),
    },
    handle: CHANNELLED.has(action)
      ? // A comment's, an answer's or information's body as validated: whatever `channel` a
        // client adds is not forwarded (only the tickets service marks what came by email).
        (ctx) =>
          forward(
            'tickets',
            (p) => `/v1/tickets/${p.reference}/actions/${action}`,
          )({
            ...ctx,
            forwarded: { json: ctx.body },
          })
      : forward('tickets', (p) => `/v1/tickets/${p.reference}/actions/${action}`),
  })),
  {
    method: 'post',
    path: '/tickets/{reference}/comments',
    operationId: 'commentOnTicket',
    summary: 'Comment: customers comment, agents reply publicly or add an internal note',
    description: 'The same as the `comment`, `reply` or `addInternalNote` action.',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    idempotent: true,
    body: commentBody,
    responses: { 200: { description: 'The new state', schema: ticketViewSchema } },
    errors: { ...NOT_FOUND, 409: REFUSED },
    async handle({ req, res, caller, params, body: input, upstreams }) {
      const { body, internal } = input as z.infer<typeof commentBody>;
      const customer = caller!.identity.role === 'customer';
      if (customer && internal) {
        throw new ProblemError(409, 'role_not_allowed', 'Action refused', 'Internal notes are for agents.');
      }
      const action = customer ? 'comment' : internal ? 'addInternalNote' : 'reply';
      const key = req.header('idempotency-key');
      const upstream = await upstreams.call('tickets', req, {
        method: 'POST',
        path: `/v1/tickets/${encodeURIComponent(params.reference!)}/actions/${action}`,
        identity: caller!.identity,
        json: { payload: { body } },
        ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}),
      });
      await upstreams.relay('tickets', req, upstream, res);
    },
  },
  {
    method: 'post',
    path: '/tickets/{reference}/share',
    operationId: 'shareTicket',
    summary: '"Partager": share a request with people of the same organisation',
    description:
      'The requester, agents and admins share (anyone else: 403 `forbidden`); a person shared ' +
      "with by the requester decides the request's fate as the requester does, one shared with by " +
      'anyone else reads and comments. A request filed by a customer who belonged to no ' +
      'organisation cannot be shared (409 `ticket_without_organization`); confidential requests never are.',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    body: shareBody,
    idempotent: true,
    responses: { 200: { description: 'The new state', schema: ticketViewSchema } },
    errors: { ...NOT_FOUND, 403: ['forbidden'], 409: [...REFUSED, 'ticket_without_organization'] },
    handle: forward('tickets', ticketPath('/share')),
  },
  {
    method: 'delete',
    path: '/tickets/{reference}/share/{userId}',
    operationId: 'unshareTicket',
    summary: 'Stop sharing a request with someone',
    tag: 'Tickets',
    auth: 'user',
    params: unshareParams,
    idempotent: true,
    responses: { 200: { description: 'The new state', schema: ticketViewSchema } },
    errors: { 404: ['ticket_not_found', 'not_shared'], 403: ['forbidden'], 409: REFUSED },
    handle: forward('tickets', (p) => `/v1/tickets/${p.reference}/share/${p.userId}`),
  },
  {
    method: 'post',
    path: '/tickets/{reference}/attachments',
    operationId: 'attachToTicket',
    summary: 'Attach a file: the request body is the file, its name in `filename`',
    description:
      `The body is the file itself, of one of the accepted types (images, PDF and Office files must start ` +
      `with their format's signature, else 415; a text must not start as one of them), ` +
      "and its name (`filename`) must end with one of its type's extensions (.png, .jpg or .jpeg, .gif, .pdf, " +
      '.txt or .log, .csv, .xlsx, .docx), else 415 `file_name_not_allowed`. ' +
      `${ATTACHMENT_MAX_BYTES / MIB} MiB at most. A request holds ` +
      `${ATTACHMENTS_PER_TICKET.files} files and ${ATTACHMENTS_PER_TICKET.bytes / MIB} MiB of files at most (by default): ` +
      'beyond, 409 `attachment_limit_reached`. A closed request takes no more files (409 `request_closed`).',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    query: attachmentQuery,
    rawBody: { types: ATTACHMENT_TYPES, maxBytes: ATTACHMENT_MAX_BYTES },
    responses: {
      201: {
        description: 'Attached',
        schema: attachmentSchema,
        headers: { Location: 'The file' },
      },
    },
    errors: {
      ...NOT_FOUND,
      409: ['request_closed', 'attachment_limit_reached', 'conversation_limit_reached'],
      415: ['file_name_not_allowed'],
    },
    handle: forward('tickets', ticketPath('/attachments')),
  },
  {
    method: 'get',
    path: '/tickets/{reference}/attachments',
    operationId: 'listTicketAttachments',
    summary: 'The files attached to a request',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    responses: { 200: { description: 'Attachments', schema: attachmentList } },
    errors: NOT_FOUND,
    handle: forward('tickets', ticketPath('/attachments')),
  },
  {
    method: 'get',
    path: '/tickets/{reference}/attachments/{attachmentId}',
    operationId: 'downloadTicketAttachment',
    summary: 'Download an attached file',
    tag: 'Tickets',
    auth: 'user',
    params: attachmentParams,
    responses: {
      200: { description: 'The file', fileTypes: ATTACHMENT_TYPES, headers: { 'Content-Disposition': 'attachment' } },
    },
    errors: { 404: ['ticket_not_found', 'attachment_not_found'] },
    handle: forward('tickets', (p) => `/v1/tickets/${p.reference}/attachments/${p.attachmentId}`),
  },
  ...(['get', 'put'] as const).map((method): ApiRoute => ({
    method,
    path: '/tickets/{reference}/notifications',
    operationId: method === 'get' ? 'getTicketNotifications' : 'setTicketNotifications',
    summary:
      method === 'get'
        ? '"Notifications activées": whether I get the emails about this request'
        : 'Turn the emails about this request on or off, for me',
    tag: 'Tickets',
    auth: 'user',
    params: referenceParams,
    ...(method === 'put' ? { body: preferenceBody } : {}),
    responses: { 200: { description: 'My setting', schema: preferenceSchema } },
    errors: NOT_FOUND,
    async handle({ req, res, caller, params, forwarded, upstreams }) {
      // The preference is the notifications service's; whether the caller may see the ticket, the tickets service's.
      const reference = encodeURIComponent(params.reference!);
      await upstreams.json('tickets', req, {
        method: 'GET',
        path: `/v1/tickets/${reference}`,
        identity: caller!.identity,
      });
      const upstream = await upstreams.call('notifications', req, {
        method: req.method,
        path: `/v1/preferences/tickets/${reference}`,
        identity: caller!.identity,
        json: forwarded.json,
      });
      await upstreams.relay('notifications', req, upstream, res);
    },
  })),
  {
    method: 'get',
    path: '/queues',
    operationId: 'getQueueCounts',
    summary: "Agents' queues and how many requests each holds",
    tag: 'Queues',
    auth: 'user',
    responses: { 200: { description: 'Counts', schema: queueCounts } },
    errors: { 403: ['forbidden'] },
    handle: forward('tickets', () => '/v1/queues'),
  },
  {
    method: 'get',
    path: '/queues/{queue}',
    operationId: 'getQueue',
    summary: 'A page of one queue',
    tag: 'Queues',
    auth: 'user',
    params: queueParams,
    query: queuePageQuery,
    responses: { 200: { description: 'A page of requests', schema: ticketPage } },
    errors: { 400: ['invalid_cursor'], 403: ['forbidden'] },
    handle: forward('tickets', (p) => `/v1/queues/${p.queue}`),
  },
  {
    method: 'get',
    path: '/deliveries',
    operationId: 'listDeliveries',
    summary: 'The email delivery log: what was sent to whom, when, for which event (agents and admins)',
    tag: 'Notifications',
    auth: 'user',
    query: deliveryQuery,
    responses: { 200: { description: 'Deliveries, newest first', schema: deliveryList } },
    errors: { 403: ['forbidden'] },
    handle: forward('notifications', () => '/v1/deliveries'),
  },
];
