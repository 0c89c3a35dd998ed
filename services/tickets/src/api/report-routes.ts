import type { Router } from 'express';
import { reportQuery } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import { problem } from './problems';
import type { RouteContext } from './context';
import { buildReport } from './reports';

/** `GET /v1/reports`: the desk's figures for a period (admins and team leads; see reports.ts). */
export function reportRoutes(ctx: RouteContext, r: Router): void {
  r.get('/reports', async (req, res) => {
    const who = ctx.caller(req);
    if (who.role === 'customer') throw problem('forbidden', 'Reports are for the support team.');
    const query = parseInput(reportQuery, req.query, 'query');
    res.json(await buildReport(ctx.models.native(), who, query));
  });
}
