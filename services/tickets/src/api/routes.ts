import express, { type Express } from 'express';
import { attachmentRoutes } from './attachment-routes';
import { cannedAnswerRoutes } from './canned-answer-routes';
import { routeContext, type RouteContext } from './context';
import { catalogueRoutes } from './catalogue-routes';
import { csatRoutes } from './csat-routes';
import { reportRoutes } from './report-routes';
import { ticketRoutes } from './ticket-routes';

/** The tickets service's HTTP API under /v1, behind the gateway (which signs the caller's identity). */
export function ticketsApi(deps: Pick<RouteContext, 'models' | 'workflows' | 'config'>): (app: Express) => void {
  const ctx = routeContext(deps);
  return (app) => {
    const r = express.Router();
    // JSON bodies only; attachments (raw bodies) parse their own.
    r.use(express.json({ limit: '256kb' }));
    catalogueRoutes(ctx, r);
    ticketRoutes(ctx, r);
    attachmentRoutes(ctx, r);
    reportRoutes(ctx, r);
    csatRoutes(ctx, r);
    cannedAnswerRoutes(ctx, r);
    app.use('/v1', r);
  };
}
