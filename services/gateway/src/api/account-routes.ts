import {
  apiTokenCreated,
  apiTokenIdParams,
  apiTokenSchema,
  changePasswordBody,
  completePasswordResetBody,
  completeSignupBody,
  createApiTokenBody,
  createOrganizationBody,
  identitySchema,
  inviteBody,
  linkAccepted,
  listUsersQuery,
  loginBody,
  organizationIdParams,
  organizationSchema,
  passwordChanged,
  passwordResetBody,
  signupBody,
  updateOrganizationBody,
  updateUserBody,
  userIdParams,
  userSchema,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { z } from 'zod';
import { clearSessionCookies, csrfTokenFor, parseCookies, SESSION_COOKIE, setSessionCookies } from '../auth';
import { forward, type ApiRoute, type RouteContext } from './route';

const LINK_ERRORS = ['link_invalid', 'link_expired', 'link_used', 'link_superseded'] as const;

export const sessionSchema = z
  .object({
    identity: identitySchema,
    expiresAt: z.iso.datetime().describe('The session ends then at the latest (and after 30 min unused)'),
    csrfToken: z.string().describe('Echo it in the X-CSRF-Token header of every change made with the cookie'),
  })
  .meta({ id: 'Session' });
const csrfTokenSchema = z.object({ csrfToken: z.string() });
const userList = z.object({ items: z.array(userSchema) });
const organizationList = z.object({ items: z.array(organizationSchema) });
const apiTokenList = z.object({ items: z.array(apiTokenSchema) });

const SESSION_HEADERS = {
  'Set-Cookie': '`__Host-woop_session` (HttpOnly) and `__Host-woop_csrf`; both Secure, SameSite=Lax, Path=/',
};

/** Login and sign-up completion: identity opens the session, the gateway keeps its token in the cookie. */
function openSession(path: string): ApiRoute['handle'] {
  return async ({ req, res, forwarded, upstreams, csrfSecret }: RouteContext) => {
    const { status, body } = await upstreams.json<{
      sessionToken: string;
      expiresAt: string;
      identity: VerifiedIdentity;
    }>('identity', req, { method: 'POST', path, json: forwarded.json });
    // Rotation: the session this client held before (another account's, or a planted one) ends.
    const before = parseCookies(req.header('cookie'))[SESSION_COOKIE];
    if (before && before !== body.sessionToken) {
      await upstreams
        .json('identity', req, { method: 'POST', path: '/v1/logout', json: { sessionToken: before } })
        .catch(() => undefined);
    }
    const csrfToken = setSessionCookies(res, body.sessionToken, body.expiresAt, csrfSecret);
    res.status(status).json({ identity: body.identity, expiresAt: body.expiresAt, csrfToken });
  };
}

const userPath =
  (suffix = '') =>
  (p: Record<string, string>) =>
    `/v1/users/${p.userId}${suffix}`;

export const accountRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/auth/signup',
    operationId: 'signUp',
    summary: 'Ask for a sign-up link',
    description:
      'Always answers 202 with the same body, whether or not the address may sign up (no account enumeration); ' +
      'the address gets the "Almost done!" email with a private link when it can. By default anyone may sign ' +
      "up: an address at an organisation's email domain joins it, any other becomes a customer without " +
      'organisation. The account gets `locale` as its language.',
    tag: 'Account',
    auth: 'public',
    authLimit: true,
    body: signupBody,
    responses: { 202: { description: 'Accepted', schema: linkAccepted } },
    handle: forward('identity', () => '/v1/signup'),
  },
  {
    method: 'post',
    path: '/auth/signup/complete',
    operationId: 'completeSignUp',
    summary: 'Finish a sign-up or an invitation: full name and password; logs in',
    tag: 'Account',
    auth: 'public',
    authLimit: true,
    body: completeSignupBody,
    responses: { 201: { description: 'Account created, logged in', schema: sessionSchema, headers: SESSION_HEADERS } },
    errors: { 400: [...LINK_ERRORS, 'weak_password'], 409: ['account_exists'] },
    handle: openSession('/v1/signup/complete'),
  },
  {
    method: 'post',
    path: '/auth/login',
    operationId: 'logIn',
    summary: 'Log in with email and password; sets the session cookie',
    description:
      'A wrong password and an unknown address give the same 401. After 20 failed logins for one address in ' +
      '15 minutes (from anywhere; 10 from one IP are a 429 `rate_limited` first), its logins are refused with 429 `too_many_failed_logins` until the window ' +
      'passes (`Retry-After`), even with the right password; an address without an account is counted alike.',
    tag: 'Account',
    auth: 'public',
    authLimit: true,
    body: loginBody,
    responses: { 200: { description: 'Logged in', schema: sessionSchema, headers: SESSION_HEADERS } },
    errors: { 401: ['invalid_credentials'], 403: ['account_deactivated'], 429: ['too_many_failed_logins'] },
    handle: openSession('/v1/login'),
  },
  {
    method: 'post',
    path: '/auth/logout',
    operationId: 'logOut',
    summary: 'End the session and clear its cookies',
    tag: 'Account',
    auth: 'user',
    responses: { 204: { description: 'Logged out' } },
    async handle({ req, res, caller, upstreams }) {
      await upstreams.json('identity', req, {
        method: 'POST',
        path: '/v1/logout',
        json: { sessionToken: caller!.token },
      });
      clearSessionCookies(res);
      res.status(204).end();
    },
  },
  {
    method: 'get',
    path: '/auth/csrf-token',
    operationId: 'getCsrfToken',
    summary: 'The CSRF token of the current session (also in the `__Host-woop_csrf` cookie)',
    tag: 'Account',
    auth: 'user',
    responses: { 200: { description: 'The token', schema: csrfTokenSchema } },
    async handle({ res, caller, csrfSecret }) {
      res.json({ csrfToken: csrfTokenFor(caller!.token, csrfSecret) });
    },
  },
  {
    method: 'post',
    path: '/auth/password-reset',
    operationId: 'requestPasswordReset',
    summary: 'Ask for a password-reset link',
    description: 'Always answers 202 with the same body, whether or not the address has an account.',
    tag: 'Account',
    auth: 'public',
    authLimit: true,
    body: passwordResetBody,
    responses: { 202: { description: 'Accepted', schema: linkAccepted } },
    handle: forward('identity', () => '/v1/password-reset'),
  },
  {
    method: 'post',
    path: '/auth/password-reset/complete',
    operationId: 'completePasswordReset',
    summary: 'Set a new password with the link of the reset email; ends every session of the account',
    tag: 'Account',
    auth: 'public',
    authLimit: true,
    body: completePasswordResetBody,
    responses: { 200: { description: 'Password changed', schema: passwordChanged } },
    errors: { 400: [...LINK_ERRORS, 'weak_password'] },
    handle: forward('identity', () => '/v1/password-reset/complete'),
  },
  {
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'My account',
    tag: 'Account',
    auth: 'user',
    responses: { 200: { description: 'The caller', schema: userSchema } },
    handle: forward('identity', () => '/v1/me'),
  },
  {
    method: 'post',
    path: '/me/password',
    operationId: 'changePassword',
    summary: 'Change my password; every other session of my account ends, this one stays',
    description:
      'A wrong current password is a 400 on `currentPassword` and counts as a failed login. Every API token of ' +
      'the account ends. Changed with an API token, every session ends too.',
    tag: 'Account',
    auth: 'user',
    authLimit: true,
    body: changePasswordBody,
    responses: { 200: { description: 'Password changed', schema: passwordChanged } },
    errors: { 400: ['invalid_current_password', 'weak_password'], 429: ['too_many_failed_logins'] },
    async handle({ req, res, caller, body, upstreams }) {
      // The session making the change is the one kept (with a bearer token, none is).
      const { currentPassword, newPassword } = body as z.infer<typeof changePasswordBody>;
      const upstream = await upstreams.call('identity', req, {
        method: 'POST',
        path: '/v1/me/password',
        identity: caller!.identity,
        json: { currentPassword, newPassword, keepSessionToken: caller!.token },
      });
      await upstreams.relay('identity', req, upstream, res);
    },
  },
  {
    method: 'get',
    path: '/api-tokens',
    operationId: 'listApiTokens',
    summary: 'My API tokens, revoked ones included (never their secret)',
    tag: 'Account',
    auth: 'user',
    responses: { 200: { description: 'My tokens, newest first', schema: apiTokenList } },
    handle: forward('identity', () => '/v1/api-tokens'),
  },
  {
    method: 'post',
    path: '/api-tokens',
    operationId: 'createApiToken',
    summary: 'Create an API token for scripts (agents, admins and organisation admins)',
    description:
      'Only a logged-in session makes tokens: with an API token this is `session_required`, so a stolen ' +
      'token cannot make itself a successor. `scopes` says what the token may do: `read` (GET and HEAD ' +
      'calls) and `write` (every other call); neither includes the other; both when absent. A call beyond ' +
      'them is 403 `insufficient_scope`.',
    tag: 'Account',
    auth: 'user',
    sessionOnly: true,
    body: createApiTokenBody,
    responses: { 201: { description: 'The token, shown once', schema: apiTokenCreated } },
    errors: { 403: ['forbidden', 'session_required'] },
    handle: forward('identity', () => '/v1/api-tokens'),
  },
  {
    method: 'delete',
    path: '/api-tokens/{tokenId}',
    operationId: 'revokeApiToken',
    summary: 'Revoke an API token (mine; admins: anyone’s)',
    description: 'A script may revoke its own token (with the `write` scope); only a session makes new ones.',
    tag: 'Account',
    auth: 'user',
    params: apiTokenIdParams,
    responses: { 204: { description: 'Revoked' } },
    errors: { 404: ['not_found'] },
    handle: forward('identity', (p) => `/v1/api-tokens/${p.tokenId}`),
  },
  {
    method: 'get',
    path: '/organizations',
    operationId: 'listOrganizations',
    summary: 'Organisations I may see (customers: mine)',
    tag: 'Organisations and users',
    auth: 'user',
    responses: { 200: { description: 'Organisations', schema: organizationList } },
    handle: forward('identity', () => '/v1/organizations'),
  },
  {
    method: 'post',
    path: '/organizations',
    operationId: 'createOrganization',
    summary: 'Create a customer organisation (admins)',
    tag: 'Organisations and users',
    auth: 'user',
    body: createOrganizationBody,
    responses: {
      201: { description: 'Created', schema: organizationSchema, headers: { Location: 'The new organisation' } },
    },
    errors: { 403: ['forbidden'], 409: ['organization_exists'] },
    handle: forward('identity', () => '/v1/organizations'),
  },
  {
    method: 'get',
    path: '/organizations/{organizationId}',
    operationId: 'getOrganization',
    summary: 'One organisation',
    tag: 'Organisations and users',
    auth: 'user',
    params: organizationIdParams,
    responses: { 200: { description: 'The organisation', schema: organizationSchema } },
    errors: { 404: ['not_found'] },
    handle: forward('identity', (p) => `/v1/organizations/${p.organizationId}`),
  },
  {
    method: 'patch',
    path: '/organizations/{organizationId}',
    operationId: 'updateOrganization',
    summary: 'Rename an organisation or replace its email domains (admins)',
    tag: 'Organisations and users',
    auth: 'user',
    params: organizationIdParams,
    body: updateOrganizationBody,
    responses: { 200: { description: 'The organisation', schema: organizationSchema } },
    errors: { 403: ['forbidden'], 404: ['not_found'], 409: ['organization_exists'] },
    handle: forward('identity', (p) => `/v1/organizations/${p.organizationId}`),
  },
  {
    method: 'get',
    path: '/users',
    operationId: 'listUsers',
    summary: 'Users I may see (organisation admins: their organisation; agents and admins: everyone)',
    tag: 'Organisations and users',
    auth: 'user',
    query: listUsersQuery,
    responses: { 200: { description: 'Users', schema: userList } },
    handle: forward('identity', () => '/v1/users'),
  },
  {
    method: 'post',
    path: '/users',
    operationId: 'inviteUser',
    summary: 'Invite a user: they get a link to choose their password',
    tag: 'Organisations and users',
    auth: 'user',
    body: inviteBody,
    responses: { 201: { description: 'Invited', schema: userSchema, headers: { Location: 'The new user' } } },
    errors: { 403: ['forbidden'], 404: ['not_found'], 409: ['email_taken'] },
    handle: forward('identity', () => '/v1/users'),
  },
  {
    method: 'get',
    path: '/users/{userId}',
    operationId: 'getUser',
    summary: 'One user',
    tag: 'Organisations and users',
    auth: 'user',
    params: userIdParams,
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: { 404: ['not_found'] },
    handle: forward('identity', userPath()),
  },
  {
    method: 'patch',
    path: '/users/{userId}',
    operationId: 'updateUser',
    summary: 'Change a user’s role, teams, name, language or organisation',
    description:
      'Everyone: their own name and language. Admins: anything of others. Organisation admins: their ' +
      'customers. Agents: only `organizationId`, of a customer (attaching someone who signed up without an ' +
      'organisation; a move also ends their being its admin). An unknown organisation is a 404.',
    tag: 'Organisations and users',
    auth: 'user',
    params: userIdParams,
    body: updateUserBody,
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: { 403: ['forbidden'], 404: ['not_found'] },
    handle: forward('identity', userPath()),
  },
  ...(['deactivate', 'reactivate'] as const).map((action): ApiRoute => ({
    method: 'post',
    path: `/users/{userId}/${action}`,
    operationId: `${action}User`,
    summary: action === 'deactivate' ? 'Deactivate a user: their sessions end' : 'Reactivate a user',
    description: 'A user the caller may not manage answers 404, as one that does not exist.',
    tag: 'Organisations and users',
    auth: 'user',
    params: userIdParams,
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: { 404: ['not_found'] },
    handle: forward('identity', userPath(`/${action}`)),
  })),
  {
    method: 'post',
    path: '/users/{userId}/erase',
    operationId: 'eraseUser',
    summary: 'Erase a user’s personal data in every service (admins, dpo team)',
    description:
      'Admins erase anyone; the dpo team erases customers (`erase_requires_admin` for an agent or an admin). ' +
      'Nobody erases their own account here (`erase_self_refused`).',
    tag: 'Organisations and users',
    auth: 'user',
    params: userIdParams,
    responses: { 204: { description: 'Erased' } },
    errors: { 403: ['forbidden', 'erase_self_refused', 'erase_requires_admin'], 404: ['not_found'] },
    handle: forward('identity', userPath('/erase')),
  },
];
