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
import { loginAccountKey, type Limits } from './limits';
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
      const email = await accounts.completePasswordReset(body.token, body.password);
      // Who proved they hold the mailbox logs in at once, whatever failures others caused.
      await limits.loginFailuresPerAccount.delete(accounts.addressKey(loginAccountKey(email)));
      res.json({ status: 'password_changed' });
    });

    /**
     * Before a password is checked: 429 when this address has failed too often, from anywhere
     * (`too_many_failed_logins`, even if this password is right: else guessing would go on), or
     * this IP, or this address from this IP (`rate_limited`). The same for an address without an
     * account: the key is the address, never whether it has one.
     */
    const beforeLogin = async (email: string, req: Request) => {
      // A keyed digest of the normalised address: the counters never hold an address (erasure).
      const account = accounts.addressKey(loginAccountKey(email));
      const locked = await limits.loginFailuresPerAccount.get(account);
      if (locked && locked.remainingPoints <= 0 && locked.msBeforeNext > 0) {
        throw problem(
          'too_many_failed_logins',
          'Too many failed logins for this address: try again later, or reset the password.',
          undefined,
          { 'Retry-After': String(Math.max(1, Math.ceil(locked.msBeforeNext / 1000))) },
        );
      }
      const perPair: [typeof limits.loginFailuresPerIp, string] = [
        limits.loginFailuresPerEmailAndIp,
        `${account}|${ip(req)}`, // a digest, never the address itself
      ];
      await ensureNotLimited([limits.loginFailuresPerIp, ip(req)], perPair);
      return {
        failed: () =>
          Promise.all([
            limits.loginFailuresPerIp.penalty(ip(req)),
            limits.loginFailuresPerEmailAndIp.penalty(perPair[1]),
            limits.loginFailuresPerAccount.penalty(account),
          ]),
        // Only reached with the right password while the address was not over its limit.
        succeeded: () =>
          Promise.all([
            limits.loginFailuresPerEmailAndIp.delete(perPair[1]),
            limits.loginFailuresPerAccount.delete(account),
          ]),
      };
    };

    r.post('/login', async (req, res) => {
      const body = parseInput(loginBody, req.body);
      const attempt = await beforeLogin(body.email, req);
      try {
        res.json(await accounts.login(body.email, body.password));
        await attempt.succeeded();
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'invalid_credentials') await attempt.failed();
        throw err;
      }
    });

    r.post('/logout', async (req, res) => {
      await accounts.logout(parseInput(logoutBody, req.body).sessionToken);
      res.status(204).end();
    });

    r.post('/sessions/resolve', async (req, res) => {
      const resolved = await accounts.resolve(parseInput(resolveBody, req.body).token);
      if (!resolved) throw problem('unauthenticated', 'The session has ended.');
      res.json(resolved);
    });

    r.get('/me', async (req, res) => {
      const who = caller(req);
      res.json(publicUser(await directory.getUser(who, who.userId)));
    });

    // A wrong current password counts as a failed login (per IP, address and IP, address): a stolen
    // session cannot be used to guess the password.
    r.post('/me/password', async (req, res) => {
      const who = caller(req);
      const body = parseInput(changePasswordServiceBody, req.body);
      const attempt = await beforeLogin(who.email, req);
      try {
        await accounts.changePassword(who.userId, body);
      } catch (err) {
        if (err instanceof ProblemError && err.code === 'invalid_current_password') await attempt.failed();
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
      res.status(201).json(await directory.createApiToken(caller(req), parseInput(createApiTokenBody, req.body)));
    });
    r.delete('/api-tokens/:tokenId', async (req, res) => {
      await directory.revokeApiToken(caller(req), param(req, 'tokenId'));
      res.status(204).end();
    });

    app.use('/v1', r);
  };
}
