import { ACTIONS_BY_ROUTE } from '@woop/contracts';
import { API_ROUTES, API_VERSION } from '../service';
import { openApiDocument } from './openapi';

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
});
