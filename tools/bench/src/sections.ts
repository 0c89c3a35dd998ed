import type { Logger } from '@woop/service-kit';
import type { Baseline } from './baseline';
import type { Session } from './http';
import type { Figure, Row } from './report';
import type { Stack } from './stack';
import type { LoadResult } from './stats';
import type { MailWatcher, TicketEvents } from './watchers';

/**
 * What every section shares: the counts, the context it runs in, and the helpers that turn a
 * load into a figure. The sections: gateway-sections.ts (create, actions and their emails),
 * workflow-sections.ts (SLA, open tickets), lists.ts.
 */

/** How much each section does (full mode: the issue's counts; quick: enough to run every path). */
export interface Counts {
  creates: number;
  concurrencies: number[];
  actions: number;
  actionConcurrency: number;
  slaTickets: number;
  /** At least this many seconds between the SLA starts and the first deadline (more if the worker creates tickets slowly). */
  slaLeadSeconds: number;
  /** Over how many seconds the deadlines are spread ("in the same minute"). */
  slaSpreadSeconds: number;
  listSizes: number[];
  listRuns: number;
  listBudgetMs: number;
  openTickets: number;
}

export interface Ctx {
  run: string;
  quick: boolean;
  counts: Counts;
  stack: Stack;
  base: Baseline;
  events: TicketEvents;
  mail: MailWatcher;
  /** Every text the bench writes carries it, so its emails are found among everyone's. */
  marker: string;
  claire: Session;
  paul: Session;
  logger: Logger;
  /** Where a section puts a figure: printed and written to disk at once (a run cut short keeps it). */
  rows: Pick<Row[], 'push'>;
  /** Requests filed through the gateway by this run (the actions act on them). */
  claireTickets: string[];
  /** The agent reply measured on a fresh stack, compared with the same on a loaded one. */
  freshReply?: LoadResult;
  /** References of ticket workflows this run started directly (SLA, load): cleaned up at the end. */
  benchOrganizations: string[];
  log(line: string): void;
}

export const figure = (r: LoadResult): Figure => ({
  n: r.n,
  p50: r.p50,
  p90: r.p90,
  p99: r.p99,
  max: r.max,
  perSecond: r.perSecond,
  errors: r.errors,
  errorKinds: r.errorKinds,
});

export const errorsNote = (r: LoadResult) =>
  r.errors
    ? `errors: ${Object.entries(r.errorKinds)
        .map(([k, v]) => `${k} × ${v}`)
        .join(', ')}`
    : undefined;

/**
 * A gateway figure's rate against the engine's floor for the pattern with a projection activity,
 * and for the one with a local projection (what the workflow does now), with its errors.
 */
export const floorNote = (r: LoadResult, floor: LoadResult, localFloor?: LoadResult) =>
  [
    `${(r.perSecond / floor.perSecond).toFixed(2)} × the engine floor's rate`,
    localFloor && `${(r.perSecond / localFloor.perSecond).toFixed(2)} × the local-projection floor's`,
    errorsNote(r),
  ]
    .filter(Boolean)
    .join('; ');

/** The row of the local-projection floor (the pattern the ticket workflow has now). */
export const localFloorRow = (
  section: string,
  name: string,
  localFloor: LoadResult,
  floor: LoadResult,
  floorName: string,
) => ({
  section,
  name,
  measured: figure(localFloor),
  baselineName: floorName,
  baseline: figure(floor),
  ratio: localFloor.perSecond / floor.perSecond,
  ratioOf: 'local-projection floor/s ÷ activity floor/s (what the pattern gains)',
  note: errorsNote(localFloor),
});

export const fileBody = (ctx: Ctx, i: number) => ({
  requestType: 'ask-a-question',
  portal: 'retailer',
  summary: `Bench ${ctx.run} n°${i}`,
  description: `Demande du banc d'essai ${ctx.run}, numéro ${i}.`,
});

/** At least `count` requests filed through the gateway by this run; the latest of them. */
export async function ensureTickets(ctx: Ctx, count: number): Promise<string[]> {
  while (ctx.claireTickets.length < count) {
    const res = await ctx.claire.post<{ ticket: { reference: string } }>(
      '/tickets',
      fileBody(ctx, 9_000_000 + ctx.claireTickets.length),
    );
    ctx.claireTickets.push(res.ticket.reference);
  }
  return ctx.claireTickets.slice(-Math.max(count, Math.min(ctx.claireTickets.length, 64)));
}
