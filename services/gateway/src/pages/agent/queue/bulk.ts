import type { TFunction } from 'i18next';
import { z } from 'zod';
import { PRIORITIES, referenceParams } from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';

/** At most this many requests per bulk action: beyond, nothing is done and the page says so. */
export const BULK_MAX = 100;
/** Refusals the summary names one by one; the others are counted. */
const NAMED_REFUSALS = 10;

const id = z.string().trim().min(1).max(100);
/** What the bulk form sends: the requests ticked, then assign (an agent, a team or both) or a priority. */
const bulkForm = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('assign'),
    agentId: id.optional().or(z.literal('').transform(() => undefined)),
    team: id.optional().or(z.literal('').transform(() => undefined)),
  }),
  z.object({ op: z.literal('priority'), priority: z.enum(PRIORITIES) }),
]);

export type BulkOrder =
  | { op: 'assign'; references: string[]; payload: { agentId?: string; team?: string } }
  | { op: 'priority'; references: string[]; payload: { priority: (typeof PRIORITIES)[number] } };

/** Why a bulk form is refused as a whole (nothing done): the catalogue key of the sentence. */
export type BulkRefusal = 'queue.bulk-none' | 'queue.bulk-too-many' | 'queue.bulk-no-target' | 'queue.bulk-invalid';

/** The form as an order, or why it is refused before anything is done. */
export function bulkOrderOf(body: Record<string, unknown>): BulkOrder | { refused: BulkRefusal } {
  const given = body.ref === undefined ? [] : Array.isArray(body.ref) ? body.ref : [body.ref];
  const references = [...new Set(given.filter((r): r is string => typeof r === 'string'))];
  if (references.length === 0) return { refused: 'queue.bulk-none' };
  if (references.length > BULK_MAX) return { refused: 'queue.bulk-too-many' };
  if (!references.every((reference) => referenceParams.safeParse({ reference }).success)) {
    return { refused: 'queue.bulk-invalid' };
  }
  const form = bulkForm.safeParse(body);
  if (!form.success) return { refused: 'queue.bulk-invalid' };
  if (form.data.op === 'priority') return { op: 'priority', references, payload: { priority: form.data.priority } };
  const { agentId, team } = form.data;
  if (!agentId && !team) return { refused: 'queue.bulk-no-target' };
  return { op: 'assign', references, payload: { ...(agentId ? { agentId } : {}), ...(team ? { team } : {}) } };
}

/** The tickets service's action for each operation: `assign`, and `changePriority` (qualify is for new requests). */
export const ACTION_OF = { assign: 'assign', priority: 'changePriority' } as const;

export interface BulkResult {
  reference: string;
  /** The refusal's reason in the user's words; absent when done. */
  refused?: string;
}

/** Why one request was refused, in a few words ("déjà clôturée", "pas encore qualifiée"). */
export function refusalReason(err: unknown, op: BulkOrder['op'], t: TFunction, sentence: (e: ProblemError) => string) {
  if (!(err instanceof ProblemError)) return t('queue.refused-failed');
  const status = err.headers['x-ticket-status'];
  if (err.code === 'request_closed' || status === 'closed') return t('queue.refused-closed');
  if (err.status === 404 || err.status === 403) return t('queue.refused-not-found');
  if (err.code === 'action_not_allowed_in_status' && op === 'assign' && status === 'open') {
    return t('queue.refused-not-qualified');
  }
  if (err.status === 409 && status) return t('queue.refused-status', { status: t(`status.${status}`) });
  if (err.status >= 500) return t('queue.refused-failed');
  return sentence(err);
}

/**
 * Runs `act` on each request, a few at a time, and reports each outcome: a refusal is kept with
 * its reason, never hidden, and does not stop the others.
 */
export async function runBulk(
  references: string[],
  act: (reference: string) => Promise<void>,
  reason: (err: unknown) => string,
  concurrency = 4,
): Promise<BulkResult[]> {
  const results: BulkResult[] = references.map((reference) => ({ reference }));
  let next = 0;
  const worker = async () => {
    while (next < references.length) {
      const i = next++;
      const reference = references[i]!;
      try {
        await act(reference);
        results[i] = { reference };
      } catch (err) {
        results[i] = { reference, refused: reason(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, references.length) }, worker));
  return results;
}

/** A flash message's longest value (kit.ts): a longer one would be dropped, and the summary with it. */
export const SUMMARY_MAX = 2_000;
const REASON_MAX = 150;

/**
 * The flash sentence: "3 demandes attribuées, 1 refusée (SUPPORT-12 : déjà clôturée)." The
 * first ten refusals named (each reason cut at 150 characters), the rest counted, so that it
 * stays one short notice that always fits the flash cookie.
 */
export function bulkSummary(op: BulkOrder['op'], results: BulkResult[], t: TFunction): string {
  const done = results.filter((r) => !r.refused).length;
  const refused = results.filter((r) => r.refused);
  const head = t(op === 'assign' ? 'queue.bulk-assigned' : 'queue.bulk-prioritised', { count: done });
  if (refused.length === 0) return t('queue.bulk-summary', { done: head });
  // Ten names of ~20 characters and reasons of at most 150: well under SUMMARY_MAX.
  const named = refused
    .slice(0, NAMED_REFUSALS)
    .map((r) => t('queue.bulk-refusal', { reference: r.reference, reason: r.refused!.slice(0, REASON_MAX) }));
  const more = refused.length - named.length;
  const details =
    named.join(t('queue.bulk-refusal-separator')) + (more > 0 ? t('queue.bulk-more', { count: more }) : '');
  return t('queue.bulk-summary-refused', {
    done: head,
    refused: t('queue.bulk-refused', { count: refused.length }),
    details,
  });
}
