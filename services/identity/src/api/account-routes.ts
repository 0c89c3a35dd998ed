import type { Request, Router } from 'express';
import {
  changePasswordServiceBody,
  checkLinkBody,
  completePasswordResetBody,
  completeSignupBody,
  loginBody,
  logoutBody,
  passwordResetBody,
  resolveBody,
  signupBody,
} from '@woop/contracts';
import { consume, ensureNotLimited, parseInput, ProblemError } from '@woop/service-kit';
import { problem } from '../model/problems';
import type { RouteContext } from './context';
import { loginAccountKey } from './limits';
import { publicUser } from './presenters';

const ACCEPTED = {
  status: 'accepted',
  message: 'If this address can be used, a link is on its way to it.',
};

/**
 * Sign-up, the links emailed (checked, then completed), password reset and change, login, logout,
 * the gateway's session lookup, and the caller's own account: each guarded by its rate limits.
 */
export function accountRoutes(ctx: RouteContext, r: Router): void {
  const { accounts, sessions, links, users, limits, caller, ip } = ctx;

  r.post('/signup', async (req, res) => {
    const body = parseInput(signupBody, req.body);
    await consume([limits.linkRequestsPerIp, ip(req)], [limits.linkRequestsPerEmail, links.addressKey(body.email)]);
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
    await links.check(body.token, body.purpose);
    res.status(204).end();
  });

  r.post('/password-reset', async (req, res) => {
    const body = parseInput(passwordResetBody, req.body);
    await consume([limits.linkRequestsPerIp, ip(req)], [limits.linkRequestsPerEmail, links.addressKey(body.email)]);
    await accounts.requestPasswordReset(body.email, body.locale);
    res.status(202).json(ACCEPTED);
  });

  r.post('/password-reset/complete', async (req, res) => {
    await consume([limits.tokenAttemptsPerIp, ip(req)]);
    const body = parseInput(completePasswordResetBody, req.body);
    const email = await accounts.completePasswordReset(body.token, body.password);
    // Who proved they hold the mailbox logs in at once, whatever failures others caused.
    await limits.loginFailuresPerAccount.delete(links.addressKey(loginAccountKey(email)));
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
    const account = links.addressKey(loginAccountKey(email));
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
      res.json(await sessions.login(body.email, body.password));
      await attempt.succeeded();
    } catch (err) {
      if (err instanceof ProblemError && err.code === 'invalid_credentials') await attempt.failed();
      throw err;
    }
  });

  r.post('/logout', async (req, res) => {
    await sessions.logout(parseInput(logoutBody, req.body).sessionToken);
    res.status(204).end();
  });

  r.post('/sessions/resolve', async (req, res) => {
    const resolved = await sessions.resolve(parseInput(resolveBody, req.body).token);
    if (!resolved) throw problem('unauthenticated', 'The session has ended.');
    res.json(resolved);
  });

  r.get('/me', async (req, res) => {
    const who = caller(req);
    res.json(publicUser(await users.get(who, who.userId)));
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
}
