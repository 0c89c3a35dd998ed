import express, { type Express, type Request } from 'express';
import {
  changePasswordServiceBody,
  checkLinkBody,
  completePasswordResetBody,
  completeSignupBody,
  createApiTokenBody,
  createOrganizationBody,
  inviteBody,
  listUsersQuery,
  loginBody,
  logoutBody,
  passwordResetBody,
  resolveBody,
  signupBody,
  updateOrganizationBody,
  updateUserBody,
} from '@woop/contracts';
import {
  clientAddress,
  consume,
  ensureNotLimited,
  parseInput,
  ProblemError,
  requireIdentity,
  type VerifiedIdentity,
} from '@woop/service-kit';
import type { Accounts } from './accounts';
import { publicOrganization, publicUser, type Directory } from './directory';
import type { Limits } from './limits';
import { problem } from './problems';

const ACCEPTED = {
  status: 'accepted',
  message: 'If this address can be used, a link is on its way to it.',
};

/** The identity service's HTTP API, behind the gateway (which signs the caller's identity). */
export function identityRoutes(deps: {
  accounts: Accounts;
  directory: Directory;
  limits: Limits;
  internalSecret: string;
}): (app: Express) => void {
  const { accounts, directory, limits } = deps;
  const caller = (req: Request): VerifiedIdentity => requireIdentity(req, deps.internalSecret);
  // The client's address as the gateway signed it (behind it, req.ip is the gateway's own).
  const ip = (req: Request) => clientAddress(req, deps.internalSecret);
  const param = (req: Request, name: string) => String(req.params[name]);

  return (app) => {
    const r = express.Router();
    r.use(express.json({ limit: '16kb' }));

    r.post('/signup', async (req, res) => {
      const body = parseInput(signupBody, req.body);
      await consume(
        [limits.linkRequestsPerIp, ip(req)],
        [limits.linkRequestsPerEmail, accounts.addressKey(body.email)],
      );
      await accounts.requestSignup(body.email, body.locale);
      res.status(202).json(ACCEPTED);
    });

    r.post('/signup/complete', async (req, res) => {
      await consume([limits.tokenAttemptsPerIp, ip(req)]);
      const body = parseInput(completeSignupBody, req.body);
      res.status(201).json(await accounts.completeSignup(body.token, body.fullName, body.password));
    });

    r.post('/links/check', async (req, res) => {
      await consume([limits.tokenAttemptsPerIp, ip(req)]);
      const body = parseInput(checkLinkBody, req.body);
      await accounts.checkLink(body.token, body.purpose);
      res.status(204).end();
    });

    r.post('/password-reset', async (req, res) => {
      const body = parseInput(passwordResetBody, req.body);
      await consume(
        [limits.linkRequestsPerIp, ip(req)],
        [limits.linkRequestsPerEmail, accounts.addressKey(body.email)],
      );
      await accounts.requestPasswordReset(body.email, body.locale);
      res.status(202).json(ACCEPTED);
    });

    r.post('/password-reset/complete', async (req, res) => {
      await consume([limits.tokenAttemptsPerIp, ip(req)]);
      const body = parseInput(completePasswordResetBody, req.body);
      await accounts.completePasswordReset(body.token, body.password);
      res.json({ status: 'password_changed' });
    });

    r.post('/login', async (req, res) => {
      const body = parseInput(loginBody, req.body);
      const perPair: [typeof limits.loginFailuresPerIp, string] = [
        limits.loginFailuresPerEmailAndIp,
        `${accounts.addressKey(body.email)}|${ip(req)}`, // never the address itself
      ];
      await ensureNotLimited([limits.loginFailuresPerIp, ip(req)], perPair);
      try {
        res.json(await accounts.login(body.email, body.password));
        await limits.loginFailuresPerEmailAndIp.delete(perPair[1]);
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'invalid_credentials') {
          await Promise.all([
            limits.loginFailuresPerIp.penalty(ip(req)),
            limits.loginFailuresPerEmailAndIp.penalty(perPair[1]),
          ]);
        }
        throw err;
      }
    });

    r.post('/logout', async (req, res) => {
      await accounts.logout(parseInput(logoutBody, req.body).sessionToken);
      res.status(204).end();
    });

    r.post('/sessions/resolve', async (req, res) => {
      const identity = await accounts.resolve(parseInput(resolveBody, req.body).token);
      if (!identity) throw problem('unauthenticated', 'The session has ended.');
      res.json({ identity });
    });

    r.get('/me', async (req, res) => {
      const who = caller(req);
      res.json(publicUser(await directory.getUser(who, who.userId)));
    });

    // A wrong current password counts as a failed login (per IP, per address and IP): a stolen
    // session cannot be used to guess the password.
    r.post('/me/password', async (req, res) => {
      const who = caller(req);
      const body = parseInput(changePasswordServiceBody, req.body);
      const perPair: [typeof limits.loginFailuresPerIp, string] = [
        limits.loginFailuresPerEmailAndIp,
        `${accounts.addressKey(who.email)}|${ip(req)}`,
      ];
      await ensureNotLimited([limits.loginFailuresPerIp, ip(req)], perPair);
      try {
        await accounts.changePassword(who.userId, body);
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'invalid_current_password') {
          await Promise.all([
            limits.loginFailuresPerIp.penalty(ip(req)),
            limits.loginFailuresPerEmailAndIp.penalty(perPair[1]),
          ]);
        }
        throw err;
      }
      res.json({ status: 'password_changed' });
    });

    r.get('/organizations', async (req, res) => {
      res.json({ items: (await directory.listOrganizations(caller(req))).map(publicOrganization) });
    });
    r.post('/organizations', async (req, res) => {
      const org = await directory.createOrganization(caller(req), parseInput(createOrganizationBody, req.body));
      res.status(201).location(`/v1/organizations/${org._id}`).json(publicOrganization(org));
    });
    r.get('/organizations/:id', async (req, res) => {
      res.json(publicOrganization(await directory.getOrganization(caller(req), param(req, 'id'))));
    });
    r.patch('/organizations/:id', async (req, res) => {
      const changes = parseInput(updateOrganizationBody, req.body);
      res.json(publicOrganization(await directory.updateOrganization(caller(req), param(req, 'id'), changes)));
    });

    r.get('/users', async (req, res) => {
      const query = parseInput(listUsersQuery, req.query, 'query');
      res.json({ items: (await directory.listUsers(caller(req), query)).map(publicUser) });
    });
    r.post('/users', async (req, res) => {
      const user = await directory.invite(caller(req), parseInput(inviteBody, req.body));
      res.status(201).location(`/v1/users/${user._id}`).json(publicUser(user));
    });
    r.get('/users/:id', async (req, res) => {
      res.json(publicUser(await directory.getUser(caller(req), param(req, 'id'))));
    });
    r.patch('/users/:id', async (req, res) => {
      const changes = parseInput(updateUserBody, req.body);
      res.json(publicUser(await directory.update(caller(req), param(req, 'id'), changes)));
    });
    r.post('/users/:id/deactivate', async (req, res) => {
      res.json(publicUser(await directory.setActive(caller(req), param(req, 'id'), false)));
    });
    r.post('/users/:id/reactivate', async (req, res) => {
      res.json(publicUser(await directory.setActive(caller(req), param(req, 'id'), true)));
    });
    r.post('/users/:id/erase', async (req, res) => {
      await directory.erase(caller(req), param(req, 'id'));
      res.status(204).end();
    });

    r.get('/api-tokens', async (req, res) => {
      res.json({ items: await directory.listApiTokens(caller(req)) });
    });
    r.post('/api-tokens', async (req, res) => {
      const { name } = parseInput(createApiTokenBody, req.body);
      res.status(201).json(await directory.createApiToken(caller(req), name));
    });
    r.delete('/api-tokens/:tokenId', async (req, res) => {
      await directory.revokeApiToken(caller(req), param(req, 'tokenId'));
      res.status(204).end();
    });

    app.use('/v1', r);
  };
}
