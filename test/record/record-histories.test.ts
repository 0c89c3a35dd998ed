import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ticketWorkflowId, type Actor, type TicketActionName } from '@woop/contracts';
import { newTicket, testPolicy } from '../../packages/ticket-domain/src/testing/fixtures';
import { uniqueReference } from '../support/ids';
import { startTicketHarness, TEMPORAL_ADDRESS, type TicketHarness } from '../support/ticket-harness';
import { TEMPORAL_CLI } from '../setup/binaries';

/**
 * `npm run histories:record`: runs the ticket workflow through representative scenarios on the
 * dev server and writes their histories to workflows/histories/, which the replay test checks
 * every later version of the workflow code against. Re-record only when a change is meant to
 * break compatibility (and then guard running workflows with patched()).
 */
const OUT = join(__dirname, '..', '..', 'workflows', 'histories');
/**
 * Recordings are added, never replaced: the histories of older code stay, since tickets started
 * by it still run. Each file is named after the scenario and the code that recorded it (v2: the
 * 'split-side-effects-and-projected-updates' patch, creates as update-with-start; v3: with
 * 'small-update-results-and-projection-deltas' too; v4: ratings, 'csat-rating-once-per-closure',
 * recorded for the satisfaction scenario only, the others being unchanged; v5: the projection
 * in a local activity, 'project-in-a-local-activity', every scenario); bump it when the
 * workflow changes again. `-t` records one scenario.
 */
const GENERATION = 'v5';
const customer: Actor = { id: 'u-claire', role: 'customer', name: 'Claire Martin' };
const agent: Actor = { id: 'a-paul', role: 'agent', name: 'Paul Agent' };

describe('record ticket workflow histories', () => {
  let h: TicketHarness;
  beforeAll(async () => {
    h = await startTicketHarness();
  });
  afterAll(() => h.close());

  async function save(name: string, reference: string) {
    const handle = h.client.workflow.getHandle(ticketWorkflowId(reference));
    await handle.result();
    // The CLI writes the history in the proto JSON form that historyFromJSON reads back.
    const json = execFileSync(
      TEMPORAL_CLI,
      ['workflow', 'show', '--address', TEMPORAL_ADDRESS, '--workflow-id', handle.workflowId, '--output', 'json'],
      { encoding: 'utf8' },
    );
    writeFileSync(join(OUT, `${name}-${GENERATION}.json`), json);
  }

  const act = (ref: string, actor: Actor, action: TicketActionName, payload: object) =>
    h.tickets.act(ref, action, { actor, payload });

  it('every transition, a refused action, comments and notes', async () => {
    const ref = uniqueReference();
    await h.tickets.create(newTicket({ reference: ref }));
    await act(ref, agent, 'qualify', { priority: 'high', billable: true, assignment: { agentId: 'a-paul' } });
    await act(ref, customer, 'acceptResolution', {}).catch(() => undefined); // refused
    await act(ref, agent, 'start', {});
    await act(ref, agent, 'requestInformation', { question: 'Numéro de commande ?' });
    await act(ref, customer, 'provideInformation', { body: 'CMD-42' });
    await act(ref, agent, 'addInternalNote', { body: 'client important' });
    // Updates in flight together: their answers wait for projections that cover several versions.
    await Promise.all([
      act(ref, customer, 'comment', { body: 'Un' }),
      act(ref, customer, 'comment', { body: 'Deux' }),
      act(ref, agent, 'reply', { body: 'Trois' }),
    ]);
    await act(ref, agent, 'changePriority', { priority: 'critical', reason: 'production' });
    await act(ref, agent, 'resolve', { answer: 'Livrée.' });
    await act(ref, customer, 'rejectResolution', { reason: 'Non reçue' });
    await act(ref, agent, 'resolve', { answer: 'Relivrée.' });
    await act(ref, customer, 'acceptResolution', {});
    await act(ref, customer, 'reopen', { reason: 'Colis abîmé' });
    await act(ref, agent, 'reject', { reason: 'Voir le transporteur' });
    await act(ref, customer, 'contestRejection', { reason: 'Non' });
    await act(ref, agent, 'reject', { reason: 'Confirmé' });
    await act(ref, customer, 'acceptRejection', {});
    await save('lifecycle', ref);
  });

  it('satisfaction: rated, a second rating refused, reopened, rated again, then closing', async () => {
    const ref = uniqueReference();
    // The reopen window lasts 6 s: reopened within it, then left to close the request.
    await h.tickets.create(
      newTicket({
        reference: ref,
        windows: { validationMinutes: 10, validationReminderMinutes: 0, reopenMinutes: 0.1 },
      }),
    );
    await act(ref, agent, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: 'a-paul' } });
    await act(ref, agent, 'start', {});
    await act(ref, agent, 'resolve', { answer: 'Livrée.' });
    await act(ref, customer, 'acceptResolution', {});
    await act(ref, customer, 'rate', { score: 2, comment: 'Lent' });
    await act(ref, customer, 'rate', { score: 5 }).catch(() => undefined); // refused: once per closure
    await act(ref, customer, 'reopen', { reason: 'Colis abîmé' });
    await act(ref, agent, 'resolve', { answer: 'Remplacé.' });
    await act(ref, customer, 'acceptResolution', {});
    await act(ref, customer, 'rate', { score: 5 });
    await save('csat', ref);
  });

  it('SLA warning, breach and escalation, then timed validation and closing', async () => {
    const ref = uniqueReference();
    await h.tickets.create(
      newTicket({
        reference: ref,
        slaPolicy: testPolicy({
          targets: {
            low: { firstResponseMinutes: 1, resolutionMinutes: 10 },
            medium: { firstResponseMinutes: 0.05, resolutionMinutes: 10 },
            high: { firstResponseMinutes: 1, resolutionMinutes: 0.1 },
            critical: { firstResponseMinutes: 1, resolutionMinutes: 10 },
          },
        }),
        windows: { validationMinutes: 0.05, validationReminderMinutes: 0.02, reopenMinutes: 0.05 },
      }),
    );
    await new Promise((r) => setTimeout(r, 7_000));
    await act(ref, agent, 'qualify', { priority: 'critical', billable: false, assignment: { team: 'support' } });
    await act(ref, agent, 'start', {});
    await act(ref, agent, 'resolve', { answer: 'Fait.' });
    await save('sla-and-windows', ref);
  });

  it('sharing and files: people added and removed, a refused share, a file, then closing', async () => {
    const ref = uniqueReference();
    await h.tickets.create(newTicket({ reference: ref }));
    const hugo = { id: 'u-hugo', name: 'Hugo Martin' };
    const lea = { id: 'u-lea', name: 'Léa Petit' };
    await act(ref, customer, 'share', { people: [hugo] });
    await act(ref, agent, 'share', { people: [hugo, lea] });
    await act(ref, customer, 'share', { people: [] }).catch(() => undefined); // refused
    await act(ref, customer, 'unshare', { userId: hugo.id });
    const file = { attachmentId: 'f'.repeat(24), filename: 'bon.pdf', contentType: 'application/pdf', size: 10 };
    await act(ref, customer, 'attach', file);
    await act(ref, agent, 'reject', { reason: 'Hors périmètre' });
    await act(ref, customer, 'acceptRejection', {});
    await save('sharing', ref);
  });

  // The harness encrypts payloads as the services do (TEMPORAL_PAYLOAD_KEYS, the development key
  // unless set): this recording holds ciphertext only, and the replay test opens it with that key.
  it('a confidential report, its payloads encrypted: a note, a reply, then closing', async () => {
    const ref = uniqueReference();
    await h.tickets.create(
      newTicket({
        reference: ref,
        requestType: 'report-a-vulnerability',
        confidential: true,
        defaultTeam: 'security',
        summary: 'Faille XSS sur la page de suivi',
        description: 'Preuve envoyée par claire.martin@enseigne.example',
      }),
    );
    const security: Actor = { id: 'a-sarah', role: 'agent', name: 'Sarah Sécu' };
    await act(ref, security, 'addInternalNote', { body: 'Rappeler le RSSI de l’enseigne' });
    await act(ref, security, 'reply', { body: 'Corrigé en production.' });
    await act(ref, security, 'reject', { reason: 'Doublon' });
    await act(ref, customer, 'acceptRejection', {});
    await save('encrypted-report', ref);
  });
});
