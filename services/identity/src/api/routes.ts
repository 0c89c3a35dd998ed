import express, { type Express } from 'express';
import { accountRoutes } from './account-routes';
import { apiTokenRoutes } from './api-token-routes';
import { routeContext, type IdentityDomain } from './context';
import type { Limits } from './limits';
import { organizationRoutes } from './organization-routes';
import { userRoutes } from './user-routes';

/** The identity service's HTTP API under /v1, behind the gateway (which signs the caller's identity). */
export function identityRoutes(
  deps: IdentityDomain & { limits: Limits; internalSecret: string },
): (app: Express) => void {
  const ctx = routeContext(deps);
  return (app) => {
    const r = express.Router();
    r.use(express.json({ limit: '16kb' }));
    accountRoutes(ctx, r);
    organizationRoutes(ctx, r);
    userRoutes(ctx, r);
    apiTokenRoutes(ctx, r);
    app.use('/v1', r);
  };
}
