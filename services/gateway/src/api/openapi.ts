import { API_ERRORS, idempotencyKeySchema, type ApiErrorCode } from '@woop/contracts';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { CSRF_HEADER, scopeFor, SESSION_COOKIE } from '../auth';
import type { ApiRoute } from './route';

export const API_BASE = '/api/v1';

export type OpenApiDocument = ReturnType<typeof createDocument>;

const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable: switch on it'),
    detail: z.string().optional().describe('For people; may change'),
    instance: z.string().optional(),
    requestId: z.string().describe('Quote it when reporting a problem: it finds every log line of the request'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('On a 400: one entry per invalid field (dotted path)'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const DESCRIPTION = `The public API of the Woop support portal. Every route is under \`${API_BASE}\`.

**Authentication.** Browsers log in with \`POST /auth/login\`, which sets the \`${SESSION_COOKIE}\` cookie
(HttpOnly, Secure, SameSite=Lax; browsers accept Secure cookies on http://localhost and http://127.0.0.1).
Every change made with the cookie (POST, PUT, PATCH, DELETE) must echo the session's CSRF token in the
\`X-CSRF-Token\` header: login returns it, \`GET /auth/csrf-token\` and the \`__Host-woop_csrf\` cookie give it again.
Scripts send \`Authorization: Bearer <API token>\` (\`POST /api-tokens\`, agents, admins and organisation admins) and need no CSRF token.
A token has scopes: \`read\` for GET and HEAD calls, \`write\` for every other call (neither includes the other; a token
made before scopes has both). A call beyond them answers 403 \`insufficient_scope\` with
\`WWW-Authenticate: Bearer error="insufficient_scope", scope="…"\` (RFC 6750). Only a session makes tokens
(\`session_required\` with a token), a password change or reset ends them all, and the portal's pages never take them.
A request or user the caller may not see answers 404, as if it did not exist.

**Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`, a \`requestId\` (also in the
\`X-Request-Id\` header; send your own \`X-Request-Id\` to follow a request through the logs) and, on a 400, the
invalid fields in \`errors\`. A service that is down or too slow answers 503 with \`Retry-After\`.

**Rate limits** count per client address on every route, more strictly on login, sign-up and password reset,
and per user once signed in; over a limit: 429 \`rate_limited\` with \`Retry-After\` in seconds.

**Lists** answer \`{items, nextCursor}\`: pass \`nextCursor\` back as \`cursor\` (with the same filters and sort)
for the next page, \`limit\` sets the page size; \`nextCursor\` is null on the last page. Filters are query
parameters named after the field they filter.

**Idempotency.** \`POST /tickets\` and ticket actions take an \`Idempotency-Key\` header (8 to 128 letters,
digits or \`._:-\`): a retry with the same key returns the first result instead of acting twice; the same key
with a different body is refused with 422 \`idempotency_key_reused\`.

**Request bodies** are JSON (256 KiB at most) except attachments, whose body is the file itself.`;

/**
 * Problem codes every operation of a kind may answer, by status: the gateway's checks (origin,
 * login, CSRF, body, limits) and failures. With the route's own `errors`, the document lists
 * exactly the codes of the errors catalogues (`@woop/contracts`, api/errors.ts) it can answer.
 */
export function commonErrors(route: ApiRoute): Record<number, ApiErrorCode[]> {
  const errors: Record<number, ApiErrorCode[]> = {};
  const add = (code: ApiErrorCode) => (errors[API_ERRORS[code].status] ??= []).push(code);
  const changes = route.method !== 'get';
  const input = route.params || route.query || route.body || route.rawBody || route.idempotent;
  if (input) add('validation_failed');
  if (route.body) add('malformed_json');
  if (route.auth === 'user') add('unauthenticated');
  if (route.auth === 'user') add('insufficient_scope');
  if (changes) add('origin_not_allowed');
  if (changes && route.auth === 'user') add('csrf_failed');
  if (route.body || route.rawBody) add('payload_too_large');
  if (route.body || route.rawBody) add('unsupported_media_type');
  add('rate_limited');
  add('internal_error');
  add('service_unavailable');
  return errors;
}

const REQUEST_ID_HEADER = { description: 'The request id, as in the logs', schema: { type: 'string' as const } };
const WWW_AUTHENTICATE_HEADER = {
  description: 'With `insufficient_scope`: `Bearer realm="woop", error="insufficient_scope", scope="<the one needed>"`',
  schema: { type: 'string' as const },
};
const RETRY_AFTER_HEADER = { description: 'Seconds to wait before trying again', schema: { type: 'integer' as const } };

/** Every problem code an operation may answer, by status: the common ones and the route's own. */
export function problemCodes(route: ApiRoute): Record<number, ApiErrorCode[]> {
  const errors = commonErrors(route);
  for (const [status, codes] of Object.entries(route.errors ?? {}) as Array<[string, readonly ApiErrorCode[]]>) {
    errors[Number(status)] = [...new Set([...(errors[Number(status)] ?? []), ...codes])];
  }
  return errors;
}

function responses(route: ApiRoute): ZodOpenApiResponsesObject {
  const out: ZodOpenApiResponsesObject = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const headers = {
      'X-Request-Id': REQUEST_ID_HEADER,
      ...Object.fromEntries(
        Object.entries(r.headers ?? {}).map(([name, description]) => [
          name,
          { description, schema: { type: 'string' } },
        ]),
      ),
    };
    const content = r.schema
      ? { 'application/json': { schema: r.schema } }
      : r.fileTypes
        ? Object.fromEntries(r.fileTypes.map((t) => [t, { schema: { type: 'string' as const, contentMediaType: t } }]))
        : undefined;
    out[status as `2${string}`] = { description: r.description, headers, ...(content ? { content } : {}) };
  }
  for (const [status, unique] of Object.entries(problemCodes(route))) {
    out[status as `4${string}`] = {
      description: `Problem: ${unique.map((c) => `\`${c}\` (${API_ERRORS[c].title})`).join(', ')}`,
      headers: {
        'X-Request-Id': REQUEST_ID_HEADER,
        ...(status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER_HEADER } : {}),
        ...(status === '403' && route.auth === 'user' ? { 'WWW-Authenticate': WWW_AUTHENTICATE_HEADER } : {}),
      },
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              { type: 'object', properties: { code: { enum: unique } } },
            ],
          },
        },
      },
    };
  }
  return out;
}

function operation(route: ApiRoute): ZodOpenApiOperationObject {
  const changes = route.method !== 'get';
  const header: Record<string, z.ZodType> = {};
  if (route.idempotent) header['Idempotency-Key'] = idempotencyKeySchema.optional();
  if (changes && route.auth === 'user') {
    header[CSRF_HEADER] = z
      .string()
      .optional()
      .describe('Required when authenticated by the session cookie: the session’s CSRF token');
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    // OpenAPI 3.1 lets a non-OAuth scheme name the roles it needs: here, the token's scope.
    security: route.auth === 'user' ? [{ session: [] }, { bearer: [scopeFor(route.method.toUpperCase())] }] : [],
    requestParams: {
      ...(route.params ? { path: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(Object.keys(header).length ? { header: z.object(header) } : {}),
    },
    ...(route.body
      ? {
          requestBody: {
            // A body whose every field is optional or defaulted (e.g. `start`: nothing to send) may
            // be left out: the gateway reads a missing body as `{}`, and the document says so.
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: route.body } },
          },
        }
      : route.rawBody
        ? {
            requestBody: {
              required: true,
              description: `The file, ${route.rawBody.maxBytes / 1024 / 1024} MiB at most`,
              content: Object.fromEntries(
                route.rawBody.types.map((t) => [
                  t,
                  {
                    schema: {
                      type: 'string' as const,
                      contentMediaType: t,
                      minLength: 1,
                      maxLength: route.rawBody!.maxBytes,
                    },
                  },
                ]),
              ),
            },
          }
        : {}),
    responses: responses(route),
  };
}

/** The OpenAPI 3.1 document of the public API, built from the route table and its zod schemas. */
export function openApiDocument(routes: readonly ApiRoute[], version: string): OpenApiDocument {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operation(route);
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Portail du support WOOP', version, description: DESCRIPTION },
    servers: [{ url: API_BASE }],
    tags: [
      { name: 'Account', description: 'Sign-up, login, sessions, API tokens' },
      { name: 'Organisations and users', description: 'Customer organisations, invitations, roles, erasure' },
      { name: 'Catalogue', description: 'The request types of the two portals' },
      { name: 'Tickets', description: 'Requests: file, follow, comment, share, attach' },
      {
        name: 'Ticket actions',
        description: 'One operation per action of the ticket workflow, each with the payload it takes',
      },
      { name: 'Queues', description: "Agents' work queues" },
      { name: 'Reports', description: 'The desk’s figures (admins and team leads)' },
      { name: 'Canned answers', description: 'Teams’ ready-made replies, FR and EN, with placeholders' },
      { name: 'Notifications', description: 'The email delivery log' },
    ],
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /auth/login' },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (POST /api-tokens, from a session only). Its scopes, named in each operation’s ' +
            'security requirement: `read` (GET and HEAD calls) and `write` (every other call); neither includes ' +
            'the other, a token made before scopes has both. Beyond them: 403 `insufficient_scope`.',
        },
      },
    },
  });
}
