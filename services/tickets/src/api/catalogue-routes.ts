import type { Router } from 'express';
import { catalogueQuery, requestTypeBody, requestTypeParams, requestTypeVersionParams } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import { listRequestTypes, requestType } from '../model/store';
import { requestTypeVersion, saveRequestType } from '../model/request-type-versions';
import type { RouteContext } from './context';
import { problem } from './problems';

const requestTypeNotFound = (detail: string) => problem('request_type_not_found', detail);

/** The request-type catalogue: read by everyone (the portal's home), edited by admins. */
export function catalogueRoutes(ctx: RouteContext, r: Router): void {
  const { models, caller } = ctx;
  r.get('/catalogue', async (req, res) => {
    const { portal } = parseInput(catalogueQuery, req.query, 'query');
    const types = await listRequestTypes(models);
    res.json({ items: portal ? types.filter((t) => t.portals.includes(portal)) : types });
  });

  r.get('/catalogue/:key', async (req, res) => {
    const { key } = parseInput(requestTypeParams, req.params, 'path');
    const type = await requestType(models, key);
    if (!type) throw requestTypeNotFound(`There is no request type "${key}".`);
    res.json(type);
  });

  // A ticket renders with the version it was created under, whatever the catalogue says now.
  r.get('/catalogue/:key/versions/:version', async (req, res) => {
    const { key, version } = parseInput(requestTypeVersionParams, req.params, 'path');
    const type = await requestTypeVersion(models, key, version);
    if (!type) throw requestTypeNotFound(`There is no version ${version} of request type "${key}".`);
    res.json(type);
  });

  /** The whole definition; a new key starts at version 1, an edit makes the next version. */
  r.put('/catalogue/:key', async (req, res) => {
    const who = caller(req);
    if (who.role !== 'admin') {
      throw problem('forbidden', 'Only admins edit the catalogue.');
    }
    const { key } = parseInput(requestTypeParams, req.params, 'path');
    const body = parseInput(requestTypeBody, req.body);
    const type = await saveRequestType(models, key, body, { id: who.userId, name: who.name });
    if (type.version === 1) res.status(201).location(`/v1/catalogue/${key}`);
    res.json(type);
  });
}
