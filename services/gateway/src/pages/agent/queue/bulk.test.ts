import { ProblemError } from '@woop/service-kit';
import { translator } from '../../i18n';
import { BULK_MAX, bulkOrderOf, bulkSummary, refusalReason, runBulk, SUMMARY_MAX } from './bulk';

const fr = translator('fr');
const en = translator('en');
const refused = (status: number, code: string, ticketStatus?: string) =>
  new ProblemError(status, code, code, undefined, undefined, ticketStatus ? { 'x-ticket-status': ticketStatus } : {});

describe('the bulk form', () => {
  it('is an order for the requests ticked, each once', () => {
    expect(
      bulkOrderOf({ ref: ['SUPPORT-1', 'SUPPORT-2', 'SUPPORT-1'], op: 'assign', team: 'support', agentId: '' }),
    ).toEqual({ op: 'assign', references: ['SUPPORT-1', 'SUPPORT-2'], payload: { team: 'support' } });
    expect(bulkOrderOf({ ref: 'SUPPORT-3', op: 'priority', priority: 'critical' })).toEqual({
      op: 'priority',
      references: ['SUPPORT-3'],
      payload: { priority: 'critical' },
    });
  });

  it('is refused whole, with a reason, when nothing is ticked, too much is, or it says nothing to do', () => {
    expect(bulkOrderOf({ op: 'assign', team: 'support' })).toEqual({ refused: 'queue.bulk-none' });
    const many = Array.from({ length: BULK_MAX + 1 }, (_, i) => `SUPPORT-${i + 1}`);
    expect(bulkOrderOf({ ref: many, op: 'assign', team: 'support' })).toEqual({ refused: 'queue.bulk-too-many' });
    expect(bulkOrderOf({ ref: many.slice(0, BULK_MAX), op: 'assign', team: 'support' })).toMatchObject({
      op: 'assign',
    });
    expect(bulkOrderOf({ ref: 'SUPPORT-1', op: 'assign', agentId: '', team: '' })).toEqual({
      refused: 'queue.bulk-no-target',
    });
    expect(bulkOrderOf({ ref: 'SUPPORT-1', op: 'priority', priority: 'urgent' })).toEqual({
      refused: 'queue.bulk-invalid',
    });
    expect(bulkOrderOf({ ref: '../x', op: 'priority', priority: 'low' })).toEqual({ refused: 'queue.bulk-invalid' });
  });
});

describe('a bulk action', () => {
  it('acts on every request and keeps each refusal with its reason', async () => {
    const seen: string[] = [];
    const results = await runBulk(
      ['SUPPORT-1', 'SUPPORT-2', 'SUPPORT-3', 'SUPPORT-4'],
      async (reference) => {
        seen.push(reference);
        if (reference === 'SUPPORT-2') throw refused(409, 'request_closed', 'closed');
      },
      (err) => refusalReason(err, 'assign', fr, () => '?'),
      2,
    );
    expect(seen.sort()).toEqual(['SUPPORT-1', 'SUPPORT-2', 'SUPPORT-3', 'SUPPORT-4']);
    expect(results).toEqual([
      { reference: 'SUPPORT-1' },
      { reference: 'SUPPORT-2', refused: 'déjà clôturée' },
      { reference: 'SUPPORT-3' },
      { reference: 'SUPPORT-4' },
    ]);
  });

  it('says why a request was refused, in a few words', () => {
    const why = (err: unknown, op: 'assign' | 'priority' = 'assign') => refusalReason(err, op, en, (e) => e.code);
    expect(why(refused(409, 'action_not_allowed_in_status', 'open'))).toBe('not qualified yet');
    expect(why(refused(409, 'action_not_allowed_in_status', 'resolved'), 'priority')).toBe(
      'not possible while Resolved',
    );
    expect(why(refused(404, 'not_found'))).toBe('not found');
    expect(why(refused(503, 'unavailable'))).toBe('the service did not answer, try again');
    expect(why(refused(400, 'invalid_payload'))).toBe('invalid_payload');
    expect(why(new Error('boom'))).toBe('the service did not answer, try again');
  });
});

describe('the bulk summary', () => {
  it('counts what was done and names each refusal, in French and English', () => {
    const results = [
      { reference: 'SUPPORT-10' },
      { reference: 'SUPPORT-11' },
      { reference: 'SUPPORT-12', refused: 'déjà clôturée' },
      { reference: 'SUPPORT-13' },
    ];
    expect(bulkSummary('assign', results, fr)).toBe('3 demandes attribuées, 1 refusée (SUPPORT-12 : déjà clôturée).');
    expect(bulkSummary('assign', [{ reference: 'SUPPORT-1' }], fr)).toBe('1 demande attribuée.');
    expect(bulkSummary('priority', [{ reference: 'SUPPORT-1', refused: 'already closed' }], en)).toBe(
      "0 requests' priority changed, 1 refused (SUPPORT-1: already closed).",
    );
  });

  it('names the first ten refusals and counts the others, so the notice stays short', () => {
    const results = Array.from({ length: 13 }, (_, i) => ({ reference: `SUPPORT-${i + 1}`, refused: 'introuvable' }));
    const text = bulkSummary('assign', results, fr);
    expect(text).toMatch(/^0 demande attribuée, 13 refusées \(SUPPORT-1 : introuvable ; /);
    expect(text).toContain('SUPPORT-10 : introuvable ; et 3 autres).');
    expect(text).not.toContain('SUPPORT-11 :');
  });

  it('always fits the flash cookie, however long the reasons', () => {
    const results = Array.from({ length: 100 }, (_, i) => ({
      reference: `SUPPORT-${1e15 + i}`,
      refused: 'x'.repeat(2_000),
    }));
    const text = bulkSummary('priority', results, en);
    expect(text.length).toBeLessThanOrEqual(SUMMARY_MAX);
    expect(text).toMatch(
      /^0 requests' priority changed, 100 refused \(SUPPORT-1000000000000000: x+; .*; and \d+ others\)\.$/,
    );
  });
});
