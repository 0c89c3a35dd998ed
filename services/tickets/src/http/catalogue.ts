import type { Router } from 'express';
import { catalogueQuery } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import { listRequestTypes } from '../store';
import type { RouteContext } from './context';

/** The request-type catalogue: read by everyone (the portal's home), edited by admins. */
export function catalogueRoutes(ctx: RouteContext, r: Router): void {
  r.get('/catalogue', async (req, res) => {
    const { portal } = parseInput(catalogueQuery, req.query, 'query');
    const types = await listRequestTypes(ctx.models);
    res.json({ items: portal ? types.filter((t) => t.portals.includes(portal)) : types });
  });
}
