/**
 * The problem codes of the APIs, one catalogue per API: each code with the HTTP status it
 * always comes with and its title (for people; clients switch on the code, and the portal's
 * pages turn it into a sentence). Services throw them through the service kit's `problems()`
 * helper, so a code that is not in their catalogue does not compile; the gateway's OpenAPI
 * document takes its codes, statuses and titles from here.
 */

export interface ProblemKind {
  readonly status: number;
  readonly title: string;
}
export type ErrorCatalogue = Readonly<Record<string, ProblemKind>>;

/** What any service may answer, from the service kit: input, login, limits and failures. */
export const COMMON_ERRORS = {
  validation_failed: { status: 400, title: 'Invalid request' },
  malformed_json: { status: 400, title: 'Request body is not valid JSON' },
  unauthenticated: { status: 401, title: 'Not logged in' },
  not_found: { status: 404, title: 'Not found' },
  payload_too_large: { status: 413, title: 'Request body too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies ErrorCatalogue;

/** The identity service: accounts, links, passwords, sessions, organisations and users. */
export const IDENTITY_ERRORS = {
  weak_password: { status: 400, title: 'Password refused' },
  invalid_current_password: { status: 400, title: 'Password not changed' },
  link_invalid: { status: 400, title: 'Link not usable' },
  link_expired: { status: 400, title: 'Link not usable' },
  link_used: { status: 400, title: 'Link not usable' },
  link_superseded: { status: 400, title: 'Link not usable' },
  invalid_credentials: { status: 401, title: 'Login failed' },
  /**
   * Too many failed logins for this address, from anywhere (identity's LOGIN_FAILURES_PER_ACCOUNT,
   * 20 per 15 minutes): refused until the window passes, even with the right password. Answered
   * the same for an address that has no account.
   */
  too_many_failed_logins: { status: 429, title: 'Too many failed logins' },
  account_deactivated: { status: 403, title: 'Account deactivated' },
  forbidden: { status: 403, title: 'Not allowed' },
  /** An erasure of one's own account (another admin or the DPO team decides it). */
  erase_self_refused: { status: 403, title: 'Not allowed' },
  /** The DPO team erases customers; agents' and admins' accounts only an admin. */
  erase_requires_admin: { status: 403, title: 'Not allowed' },
  account_exists: { status: 409, title: 'Account exists' },
  email_taken: { status: 409, title: 'Address in use' },
  organization_exists: { status: 409, title: 'Organisation exists' },
} as const satisfies ErrorCatalogue;

/** The tickets service: the catalogue, requests, their actions, sharing, files and queues. */
export const TICKETS_ERRORS = {
  invalid_cursor: { status: 400, title: 'Invalid cursor' },
  /** A refused action whose payload the workflow does not take (the other refusals are 409). */
  invalid_payload: { status: 400, title: 'Action refused' },
  empty_file: { status: 400, title: 'Empty file' },
  forbidden: { status: 403, title: 'Not allowed' },
  ticket_not_found: { status: 404, title: 'Request not found' },
  request_type_not_found: { status: 404, title: 'Request type not found' },
  attachment_not_found: { status: 404, title: 'File not found' },
  not_shared: { status: 404, title: 'Not shared' },
  unknown_action: { status: 404, title: 'Unknown action' },
  role_not_allowed: { status: 409, title: 'Action refused' },
  action_not_allowed_in_status: { status: 409, title: 'Action refused' },
  /**
   * The request is CLÔTURÉ (closed): final, its workflow has ended. Every action, comment, share
   * and file is refused with this code, whatever the action and the caller's role.
   */
  request_closed: { status: 409, title: 'Request closed' },
  /** `rate` once the requester has rated this closure (TERMINÉ): a rating is given once per closure. */
  already_rated: { status: 409, title: 'Already rated' },
  /**
   * A satisfaction link (emailed when the request became TERMINÉ) that does not open: altered,
   * made with a key no longer held, or for an earlier closure of a request answered again since.
   */
  csat_link_invalid: { status: 404, title: 'Link not valid' },
  /** The ticket holds as much text as it may (TICKET_STATE_MAX): a new request continues it. */
  conversation_limit_reached: { status: 409, title: 'Conversation full' },
  /** The ticket already holds the most files, or bytes of files, it may (ATTACHMENTS_PER_TICKET). */
  attachment_limit_reached: { status: 409, title: 'Too many files' },
  ticket_without_organization: { status: 409, title: 'Cannot share' },
  unsupported_media_type: { status: 415, title: 'File type not accepted' },
  /** A file whose name's extension is not on the list, or is not one of its declared type's. */
  file_name_not_allowed: { status: 415, title: 'File type not accepted' },
  idempotency_key_reused: { status: 422, title: 'Key already used' },
  /** `assign` / `qualify` to someone who is not an active agent (or an admin). */
  assignee_not_agent: { status: 422, title: 'Not an agent' },
  /** `assign` / `qualify` to an agent outside the team the request is assigned to. */
  assignee_not_in_team: { status: 422, title: 'Not in the team' },
  canned_answer_not_found: { status: 404, title: 'Canned answer not found' },
  /** An edit of a canned answer that someone else saved since it was read: read it again. */
  canned_answer_conflict: { status: 409, title: 'Edited meanwhile' },
} as const satisfies ErrorCatalogue;

/** The notifications service: the delivery log and the agents' email switch. */
export const NOTIFICATIONS_ERRORS = {
  forbidden: { status: 403, title: 'Not allowed' },
} as const satisfies ErrorCatalogue;

/** The gateway's own: what it refuses before asking a service. */
export const GATEWAY_ERRORS = {
  csrf_failed: { status: 403, title: 'Request refused' },
  origin_not_allowed: { status: 403, title: 'Request refused' },
  /** An API token without the scope the method needs (`read`: GET, HEAD; `write`: the others). */
  insufficient_scope: { status: 403, title: 'Not allowed for this token' },
  /** API tokens are made from a logged-in session, never with another token. */
  session_required: { status: 403, title: 'Log in to do this' },
  /** A method that a path of the document does not take (with `Allow`); never a documented answer. */
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  /** A customer's internal note (`POST /tickets/{reference}/comments` with `internal`). */
  role_not_allowed: { status: 409, title: 'Action refused' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
} as const satisfies ErrorCatalogue;

/**
 * Every code the public API may answer: the gateway's own and the services' it relays. A code
 * in two catalogues has the same status in both (a unit test of the gateway checks it).
 */
export const API_ERRORS = {
  ...COMMON_ERRORS,
  ...IDENTITY_ERRORS,
  ...TICKETS_ERRORS,
  ...NOTIFICATIONS_ERRORS,
  ...GATEWAY_ERRORS,
} as const satisfies ErrorCatalogue;

export type ApiErrorCode = keyof typeof API_ERRORS;
export type ApiErrorStatus = (typeof API_ERRORS)[ApiErrorCode]['status'];
/** The codes that come with `status`, e.g. `ApiErrorCodeWith<409>`. */
export type ApiErrorCodeWith<S extends ApiErrorStatus> = {
  [C in ApiErrorCode]: (typeof API_ERRORS)[C]['status'] extends S ? C : never;
}[ApiErrorCode];

/** The catalogues by API, for the gateway's document and its tests. */
export const ERROR_CATALOGUES = {
  common: COMMON_ERRORS,
  identity: IDENTITY_ERRORS,
  tickets: TICKETS_ERRORS,
  notifications: NOTIFICATIONS_ERRORS,
  gateway: GATEWAY_ERRORS,
} as const;
