import type { Request } from 'express';
import { clientAddress, requireIdentity, type VerifiedIdentity } from '@woop/service-kit';
import type { Accounts } from '../model/accounts';
import type { ApiTokens } from '../model/api-tokens';
import type { Links } from '../model/links';
import type { Organizations } from '../model/organizations';
import type { Sessions } from '../model/sessions';
import type { Users } from '../model/users';
import type { Limits } from './limits';

/** The identity model's parts, as the service wires them. */
export interface IdentityDomain {
  accounts: Accounts;
  sessions: Sessions;
  links: Links;
  users: Users;
  organizations: Organizations;
  apiTokens: ApiTokens;
}

/** What every route module of the identity API shares. */
export interface RouteContext extends IdentityDomain {
  limits: Limits;
  /** The caller, from the identity the gateway signed (401 without it). */
  caller: (req: Request) => VerifiedIdentity;
  /** The client's address as the gateway signed it (behind it, req.ip is the gateway's own). */
  ip: (req: Request) => string;
  param: (req: Request, name: string) => string;
}

export function routeContext(deps: IdentityDomain & { limits: Limits; internalSecret: string }): RouteContext {
  const { internalSecret, ...rest } = deps;
  return {
    ...rest,
    caller: (req) => requireIdentity(req, internalSecret),
    ip: (req) => clientAddress(req, internalSecret),
    param: (req, name) => String(req.params[name]),
  };
}
