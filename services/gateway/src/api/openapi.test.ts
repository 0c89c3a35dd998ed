import {
  ACTIONS_BY_ROUTE,
  API_ERRORS,
  ERROR_CATALOGUES,
  type ApiErrorCode,
  type ErrorCatalogue,
} from '@woop/contracts';
import { API_ROUTES, API_VERSION } from '../service';
import { openApiDocument } from './openapi';

/**
 * Codes of the services' catalogues that no client of the gateway can get, and why: the
 * gateway refuses the request first. (The portal's pages call the services themselves and may
 * see them.)
 */
const NOT_THROUGH_THE_GATEWAY: Partial<Record<ApiErrorCode, string>> = {
  empty_file: 'an empty attachment is refused by the gateway first (validation_failed)',
  unknown_action: 'each action is a route of its own; any other path is a 404 not_found',
  invalid_payload: "the gateway checks each action's payload with the contract's schema first (validation_failed)",
  csat_link_invalid: "a satisfaction link is the portal's /csat page, no operation of the API",
};

/** Codes no operation of the document can list, and why. */
const NOT_AN_OPERATION_ANSWER: Partial<Record<ApiErrorCode, string>> = {
  method_not_allowed: 'the answer to a method the document does not declare on a path',
};

/**
 * The strings a request must send non-empty that the document gives no pattern: each is taken as
 * sent, never trimmed (ids, tokens, passwords, keys). A text the API trims must say "not blank"
 * with a pattern (`nonBlank`): `minLength: 1` alone allows a lone tab, which trimming refuses.
 */
const TAKEN_AS_SENT = new Set([
  'token',
  'password',
  'currentPassword',
  'newPassword',
  'tokenId',
  'organizationId',
  'userId',
  'userIds[]',
  'requestType',
  'agentId',
  'team',
  'value',
  '(binary body)',
]);

describe('the OpenAPI document', () => {
  const doc = openApiDocument(API_ROUTES, API_VERSION);

  it('has every route once, each with a unique operation id', () => {
    const ids = API_ROUTES.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of API_ROUTES) expect(doc.paths?.[r.path]?.[r.method]?.operationId).toBe(r.operationId);
  });

  it('documents each path parameter of a route with its schema, and nothing else as one', () => {
    for (const r of API_ROUTES) {
      const inPath = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect([r.operationId, Object.keys(r.params?.shape ?? {}).sort()]).toEqual([r.operationId, inPath]);
    }
  });

  it('documents the answers and problems of every operation', () => {
    for (const r of API_ROUTES) {
      const responses = doc.paths?.[r.path]?.[r.method]?.responses ?? {};
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['429', '500', '503']));
      if (r.auth === 'user') expect(responses).toHaveProperty('401');
      expect(Object.keys(responses).some((s) => s.startsWith('2'))).toBe(true);
    }
  });

  /** Every documented problem, as [operation, status, code]. */
  const documented = API_ROUTES.flatMap((r) =>
    Object.entries(doc.paths?.[r.path]?.[r.method]?.responses ?? {}).flatMap(([status, response]) => {
      const schema = (response as { content?: Record<string, { schema?: unknown }> }).content?.[
        'application/problem+json'
      ]?.schema as { allOf?: Array<{ properties?: { code?: { enum?: string[] } } }> } | undefined;
      return (schema?.allOf?.[1]?.properties?.code?.enum ?? []).map((code) => [r.operationId, Number(status), code]);
    }),
  ) as Array<[string, number, string]>;

  it("takes every problem code it documents from the errors catalogues, under the code's own status", () => {
    expect(documented.length).toBeGreaterThan(100);
    const wrong = documented.filter(
      ([, status, code]) => !(code in API_ERRORS) || API_ERRORS[code as ApiErrorCode].status !== status,
    );
    expect(wrong).toEqual([]);
  });

  it('documents every code of the catalogues somewhere, but those the gateway never lets through', () => {
    const seen = new Set(documented.map(([, , code]) => code));
    const everyCode = Object.values(ERROR_CATALOGUES).flatMap((c) => Object.keys(c));
    const missing = everyCode.filter(
      (c) => !seen.has(c) && !(c in NOT_THROUGH_THE_GATEWAY) && !(c in NOT_AN_OPERATION_ANSWER),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(NOT_THROUGH_THE_GATEWAY).filter((c) => seen.has(c))).toEqual([]);
  });

  it('gives a code the same status in every catalogue that has it', () => {
    const statuses = new Map<string, Set<number>>();
    for (const catalogue of Object.values(ERROR_CATALOGUES) as ErrorCatalogue[]) {
      for (const [code, { status }] of Object.entries(catalogue)) {
        statuses.set(code, (statuses.get(code) ?? new Set<number>()).add(status));
      }
    }
    expect([...statuses].filter(([, s]) => s.size > 1)).toEqual([]);
  });

  it('gives every text it trims a "not blank" pattern: the other required strings are taken as sent', () => {
    const found = new Set<string>();
    const walk = (schema: unknown, name: string): void => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as Record<string, unknown>;
      const patterned = 'pattern' in s || (Array.isArray(s.allOf) && s.allOf.some((p) => 'pattern' in p));
      if (s.type === 'string' && Number(s.minLength) >= 1 && !patterned && !s.enum && !s.format) found.add(name);
      for (const [key, value] of Object.entries((s.properties as object) ?? {})) walk(value, key);
      walk(s.items, `${name}[]`);
      for (const k of ['allOf', 'anyOf', 'oneOf'] as const)
        for (const sub of (s[k] as unknown[]) ?? []) walk(sub, name);
    };
    for (const r of API_ROUTES) {
      const op = doc.paths?.[r.path]?.[r.method] as {
        parameters?: Array<{ name: string; schema: unknown }>;
        requestBody?: { content: Record<string, { schema: unknown }> };
      };
      for (const p of op.parameters ?? []) walk(p.schema, p.name);
      for (const [type, { schema }] of Object.entries(op.requestBody?.content ?? {})) {
        walk(schema, type === 'application/json' ? '(body)' : '(binary body)');
      }
    }
    expect([...found].filter((name) => !TAKEN_AS_SENT.has(name)).sort()).toEqual([]);
    expect([...TAKEN_AS_SENT].filter((name) => !found.has(name)).sort()).toEqual([]);
  });

  it('says what each documented problem is called', () => {
    const listTickets = doc.paths?.['/tickets']?.get?.responses?.['400'] as { description?: string };
    expect(listTickets.description).toContain('`invalid_cursor` (Invalid cursor)');
  });

  it('documents one operation per ticket action, each with the payload it takes', () => {
    const payloadOf = (action: string) => {
      const body = doc.paths?.[`/tickets/{reference}/actions/${action}`]?.post?.requestBody as
        { content: Record<string, { schema: { properties: { payload: Record<string, unknown> } } }> } | undefined;
      return body?.content['application/json']?.schema.properties.payload;
    };
    for (const action of ACTIONS_BY_ROUTE) expect([action, payloadOf(action)]).toEqual([action, expect.any(Object)]);
    expect(payloadOf('qualify')).toMatchObject({ required: ['priority', 'billable'] });
    expect(payloadOf('reply')).toMatchObject({ properties: { body: { minLength: 1, maxLength: 20_000 } } });
    expect(payloadOf('reopen')).toMatchObject({ properties: { reason: { maxLength: 2_000 } } });
    expect(payloadOf('start')).toMatchObject({ default: {} });
    expect(doc.paths?.['/tickets/{reference}/actions/{action}']).toBeUndefined();
  });

  it('makes a body optional exactly where the gateway takes a missing one as `{}` (found by Schemathesis)', () => {
    const requiredOf = (path: string, method: 'post' | 'put' | 'patch' = 'post') =>
      (doc.paths?.[path]?.[method]?.requestBody as { required?: boolean } | undefined)?.required;
    // Nothing to send: `start` without a body starts the request, as the document now says.
    for (const action of ['start', 'acceptResolution', 'acceptRejection'])
      expect([action, requiredOf(`/tickets/{reference}/actions/${action}`)]).toEqual([action, false]);
    expect(requiredOf('/tickets/{reference}/actions/qualify')).toBe(true);
    expect(requiredOf('/tickets')).toBe(true);
    for (const route of API_ROUTES.filter((r) => r.body)) {
      const takesNothing = route.body!.safeParse({}).success;
      expect([route.operationId, requiredOf(route.path, route.method as never)]).toEqual([
        route.operationId,
        !takesNothing,
      ]);
    }
  });

  it("describes API tokens' scopes: the one each operation needs, the create body, who may make one", () => {
    const scheme = doc.components?.securitySchemes?.bearer as { scheme?: string; description?: string };
    expect(scheme).toMatchObject({ scheme: 'bearer' });
    expect(scheme.description).toMatch(/`read` \(GET and HEAD calls\) and `write` \(every other call\)/);
    for (const r of API_ROUTES) {
      const security = doc.paths?.[r.path]?.[r.method]?.security;
      const scope = r.method === 'get' ? 'read' : 'write';
      expect([r.operationId, security]).toEqual([
        r.operationId,
        r.auth === 'user' ? [{ session: [] }, { bearer: [scope] }] : [],
      ]);
      const forbidden = doc.paths?.[r.path]?.[r.method]?.responses?.['403'] as
        | { content?: Record<string, { schema: { allOf: Array<{ properties?: { code?: { enum?: string[] } } }> } }> }
        | undefined;
      const codes = forbidden?.content?.['application/problem+json']?.schema.allOf[1]?.properties?.code?.enum ?? [];
      expect([r.operationId, codes.includes('insufficient_scope')]).toEqual([r.operationId, r.auth === 'user']);
      expect([r.operationId, codes.includes('session_required')]).toEqual([
        r.operationId,
        r.path === '/api-tokens' && r.method === 'post',
      ]);
    }
    const create = doc.paths?.['/api-tokens']?.post?.requestBody as
      { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> } | undefined;
    expect(create?.content['application/json']?.schema.properties.scopes).toMatchObject({
      type: 'array',
      minItems: 1,
      items: { enum: ['read', 'write'] },
      default: ['read', 'write'],
    });
  });
});
