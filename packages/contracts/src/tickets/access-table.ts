import type { TicketStatus } from './model';

/*
 * "Who may do what": the table of docs/tickets-api.md, as data. The doc shows it (a unit test
 * checks that its table is `accessTableMarkdown()`, cell for cell) and the integration test
 * test/integration/access-table.test.ts takes every cell on the running services, in a status in
 * which the action is possible, so that a refusal is about who the caller is.
 */

/** Who the caller is to the request (a non-confidential request of a customer organisation). */
export const ACCESS_SEATS = [
  'requester',
  'colleague',
  'sharedByRequester',
  'sharedByTeam',
  'otherOrganization',
  'organizationAdmin',
  'support',
  'security',
  'dpo',
  'admin',
] as const;
export type AccessSeat = (typeof ACCESS_SEATS)[number];

export const SEAT_LABELS: Record<AccessSeat, string> = {
  requester: 'requester',
  colleague: 'colleague',
  sharedByRequester: 'shared by the requester',
  sharedByTeam: 'shared by an agent',
  otherOrganization: 'other organisation',
  organizationAdmin: 'organisation admin',
  support: 'agent `support`',
  security: 'agent `security`',
  dpo: 'agent `dpo`',
  admin: 'admin',
};

/**
 * A cell: `yes` allowed; `no` refused for who one is (403 `forbidden` or 409
 * `role_not_allowed`, and never offered in `allowed` nor on the page); `hidden` the request does
 * not exist for them (404 `ticket_not_found`, not listed); `n/a` nothing to do (they are not in
 * "Partagé avec": 404 `not_shared`).
 */
export type Access = 'yes' | 'no' | 'hidden' | 'n/a';
export const ACCESS_SYMBOLS: Record<Access, string> = { yes: '✓', no: '✗', hidden: '404', 'n/a': '–' };

export interface AccessRow {
  /** What the integration test does for this row. */
  key: string;
  label: string;
  /** The status the request is in when the cell is taken (one where the action is possible). */
  status: TicketStatus;
  cells: Record<AccessSeat, Access>;
}

const row = (key: string, label: string, status: TicketStatus, cells: string): AccessRow => {
  const symbols = cells.trim().split(/\s+/);
  if (symbols.length !== ACCESS_SEATS.length) throw new Error(`access table: ${key} has ${symbols.length} cells`);
  const byLetter: Record<string, Access> = { Y: 'yes', N: 'no', H: 'hidden', '-': 'n/a' };
  return {
    key,
    label,
    status,
    cells: Object.fromEntries(ACCESS_SEATS.map((s, i) => [s, byLetter[symbols[i]!]!])) as Record<AccessSeat, Access>,
  };
};

// prettier-ignore
export const ACCESS_TABLE: readonly AccessRow[] = [
  //                                                                                     req col shR shT oth oAd sup sec dpo adm
  row('see', 'see the request (activity, "Partagé avec")',                    'in_progress', 'Y   Y   Y   Y   H   Y   Y   Y   Y   Y'),
  row('list', 'find it in `GET /tickets`',                                    'in_progress', 'Y   Y   Y   Y   H   Y   Y   Y   Y   Y'),
  row('internalNotes', 'read internal notes',                                 'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('attachments', 'list its files',                                        'in_progress', 'Y   Y   Y   Y   H   Y   Y   Y   Y   Y'),
  row('download', 'download a file',                                          'in_progress', 'Y   Y   Y   Y   H   Y   Y   Y   Y   Y'),
  row('seeConfidential', 'see a confidential request (security type)',        'open',        'Y   H   H   H   H   H   H   Y   H   Y'),
  row('qualify', '`qualify`',                                                 'open',        'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('assign', '`assign` (to an agent of its team)',                         'assigned',    'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('start', '`start`',                                                     'assigned',    'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('requestInformation', '`requestInformation`',                           'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('reply', '`reply`',                                                     'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('addInternalNote', '`addInternalNote`',                                 'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('changePriority', '`changePriority`',                                   'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('resolve', '`resolve`',                                                 'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('reject', '`reject`',                                                   'in_progress', 'N   N   N   N   H   N   Y   Y   Y   Y'),
  row('provideInformation', '`provideInformation`',                           'waiting_for_customer', 'Y   Y   Y   Y   H   Y   N   N   N   N'),
  row('comment', '`comment`',                                                 'in_progress', 'Y   Y   Y   Y   H   Y   N   N   N   N'),
  row('acceptResolution', '`acceptResolution`',                               'resolved',    'Y   N   Y   N   H   N   N   N   N   N'),
  row('rejectResolution', '`rejectResolution`',                               'resolved',    'Y   N   Y   N   H   N   N   N   N   N'),
  row('acceptRejection', '`acceptRejection`',                                 'rejected',    'Y   N   Y   N   H   N   N   N   N   N'),
  row('contestRejection', '`contestRejection`',                               'rejected',    'Y   N   Y   N   H   N   N   N   N   N'),
  row('reopen', '`reopen`',                                                   'done',        'Y   N   Y   N   H   N   N   N   N   N'),
  row('rate', '`rate` (satisfaction, once per closure)',                      'done',        'Y   N   N   N   H   N   N   N   N   N'),
  row('share', '`share` ("Partager")',                                        'in_progress', 'Y   N   N   N   H   N   Y   Y   Y   Y'),
  row('unshareOther', '`unshare` someone else',                               'in_progress', 'Y   N   N   N   H   N   Y   Y   Y   Y'),
  row('unshareSelf', '`unshare` oneself',                                     'in_progress', '-   -   Y   Y   H   -   -   -   -   -'),
  row('attach', 'attach a file',                                              'in_progress', 'Y   Y   Y   Y   H   Y   Y   Y   Y   Y'),
];

/** The table as docs/tickets-api.md shows it. */
export function accessTableMarkdown(): string {
  const header = ['', ...ACCESS_SEATS.map((s) => SEAT_LABELS[s])];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...ACCESS_TABLE.map((r) => `| ${[r.label, ...ACCESS_SEATS.map((s) => ACCESS_SYMBOLS[r.cells[s]])].join(' | ')} |`),
  ];
  return lines.join('\n');
}
