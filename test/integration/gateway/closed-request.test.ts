import { Client, Connection } from '@temporalio/client';
import { temporalDataConverter, temporalPayloadCodecFromEnv } from '@woop/service-kit';
import { ACTIONS_BY_ROUTE, REQUEST_TYPES, ticketWorkflowId } from '@woop/contracts';
import { DEMO_PASSWORD } from '../../../services/identity/src/seed';
import { ApiClient } from '../../support/api-client';
import { validFields } from '../../support/forms';
import { originOf, startGateway, type RunningGateway } from '../../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../../support/identity-harness';
import { startNotifications } from '../../support/notifications-harness';
import { startTicketsApi, type TicketsApi } from '../../support/tickets-api-harness';

interface TicketView {
  ticket: { reference: string; status: string };
  allowed: string[];
}
interface Problem {
  code: string;
  status: number;
}

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A payload each action's schema takes: the refusal must be about the request, not the input. */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  qualify: { priority: 'high', billable: false },
  assign: { team: 'support' },
  requestInformation: { question: 'Quel numéro ?' },
  reply: { body: 'Réponse' },
  addInternalNote: { body: 'Note' },
  changePriority: { priority: 'high' },
  resolve: { answer: 'Voilà.' },
  reject: { reason: 'Hors périmètre' },
  provideInformation: { body: 'Le voici.' },
  comment: { body: 'Encore une chose' },
  rejectResolution: { reason: 'Non' },
  contestRejection: { reason: 'Non' },
  reopen: { reason: 'Ça recommence' },
  rate: { score: 4 },
};

/**
 * A request once CLÔTURÉ: its workflow has completed, and every change (each action, a comment, a
 * share, a file) is refused with 409 `request_closed`, through the API (as documented) and the
 * pages (a sentence in the reader's language), never a 500.
 */
describe('gateway: an ended request', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let anonymous: ApiClient;
  let temporal: Client;
  let claire: ApiClient;
  let paul: ApiClient;

  beforeAll(async () => {
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([startIdentity(), startNotifications({ CONSUME: 'false' })]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: originOf(notifications.base),
    });
    anonymous = await ApiClient.connect(gateway.origin);
    temporal = new Client({
      connection: await Connection.connect({ address: tickets.config.TEMPORAL_ADDRESS }),
      dataConverter: temporalDataConverter(temporalPayloadCodecFromEnv()),
    });
    [claire, paul] = await Promise.all([browser('claire@enseigne.example'), browser('paul@woop.example')]);
  }, 120_000);
  afterAll(async () => {
    await temporal?.connection.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
  });

  async function browser(email: string): Promise<ApiClient> {
    const client = anonymous.fresh();
    const res = await client.post<{ csrfToken: string }>('/auth/login', { email, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    client.csrfToken = res.body.csrfToken;
    return client;
  }

  /** A request of claire's, rejected by paul, the rejection accepted: CLÔTURÉ, its workflow completed. */
  async function closedRequest(): Promise<string> {
    const type = REQUEST_TYPES.find((t) => t.key === 'ask-a-question')!;
    const created = await claire.post<TicketView>('/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: 'Bientôt clôturée',
      description: 'Détails',
      fields: validFields(type),
    });
    expect(created.status).toBe(201);
    const { reference } = created.body.ticket;
    const act = (who: ApiClient, action: string, payload: Record<string, unknown> = {}) =>
      who.post<TicketView>(`/tickets/${reference}/actions/${action}`, { payload });
    expect((await act(paul, 'reject', { reason: 'Hors périmètre' })).status).toBe(200);
    expect((await act(claire, 'acceptRejection')).body.ticket.status).toBe('closed');
    await temporal.workflow.getHandle(ticketWorkflowId(reference)).result();
    return reference;
  }

  /** Every change a customer and an agent could send; each answer checked against the document (ApiClient). */
  async function everyChange(reference: string): Promise<Array<[string, number, string]>> {
    const answers: Array<[string, number, string]> = [];
    const note = (what: string, res: { status: number; body: Problem; headers: Headers }) => {
      answers.push([what, res.status, res.body?.code]);
      if (res.status === 409) {
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('x-ticket-status')).toBe('closed');
      }
    };
    for (const action of ACTIONS_BY_ROUTE) {
      for (const [who, client] of [
        ['claire', claire],
        ['paul', paul],
      ] as const) {
        const res = await client.post<Problem>(`/tickets/${reference}/actions/${action}`, {
          payload: PAYLOADS[action] ?? {},
        });
        note(`${who} ${action}`, res);
      }
    }
    note('comment', await claire.post<Problem>(`/tickets/${reference}/comments`, { body: 'Encore' }));
    note('reply', await paul.post<Problem>(`/tickets/${reference}/comments`, { body: 'Encore' }));
    note('share', await claire.post<Problem>(`/tickets/${reference}/share`, { userIds: ['user-hugo'] }));
    note('unshare', await paul.delete<Problem>(`/tickets/${reference}/share/user-hugo`));
    note(
      'attach',
      await claire.post<Problem>(`/tickets/${reference}/attachments?filename=apres.png`, undefined, {
        file: { data: PNG, contentType: 'image/png' },
      }),
    );
    return answers;
  }

  const allRefused = (answers: Array<[string, number, string]>) =>
    answers.filter(([, status, code]) => status !== 409 || code !== 'request_closed');

  it('refuses every action, comment, share and file with 409 request_closed, as documented', async () => {
    const reference = await closedRequest();
    const answers = await everyChange(reference);
    expect(answers).toHaveLength(ACTIONS_BY_ROUTE.length * 2 + 5);
    expect(allRefused(answers)).toEqual([]);
    // Reading it still works.
    expect((await claire.get<TicketView>(`/tickets/${reference}`)).body).toMatchObject({
      ticket: { status: 'closed' },
      allowed: [],
    });
  });

  it('refuses them too when the read model still shows it open (closed meanwhile): Temporal says it ended', async () => {
    const reference = await closedRequest();
    // The read model one step behind, as when the reopen window closes a TERMINÉ request
    // between the read and the action: the service asks Temporal, whose workflow has completed.
    await tickets.svc.models
      .native()
      .collection('tickets')
      .updateOne({ _id: reference as never }, { $set: { status: 'done' } });
    const answers = await everyChange(reference);
    // Un-sharing someone it is not shared with is refused before Temporal is asked (404
    // not_shared); whom to share with is checked first too (the directory): the rest reach Temporal.
    expect(allRefused(answers).filter(([what]) => what !== 'unshare' && what !== 'share')).toEqual([]);
  });

  it('says so on the page, in French and in English, for the customer and the agent', async () => {
    const reference = await closedRequest();
    const post = (who: ApiClient, path: string, fields: Record<string, string>, language: string) =>
      fetch(`${gateway.origin}/requests/${reference}${path}`, {
        method: 'POST',
        headers: {
          cookie: who.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
          'accept-language': language,
          origin: gateway.origin,
        },
        body: new URLSearchParams({ _csrf: who.csrfToken!, ...fields }).toString(),
        redirect: 'manual',
      });
    const french = await post(claire, '/actions/reopen', { reason: 'Ça recommence' }, 'fr');
    expect(french.status).toBe(409);
    expect(await french.text()).toContain('Cette demande est clôturée');
    const comment = await post(claire, '/comment', { body: 'Encore' }, 'fr');
    expect(comment.status).toBe(409);
    expect(await comment.text()).toContain('Cette demande est clôturée');
    // The agent's console, for an agent whose account is in English.
    const admin = await browser('admin@woop.example');
    expect((await admin.patch('/users/user-paul', { locale: 'en' })).status).toBe(200);
    const english = await post(paul, '/actions/assign', { team: 'support' }, 'en');
    expect(english.status).toBe(409);
    expect(await english.text()).toContain('This request is closed');
    const note = await post(paul, '/comment', { body: 'Note', internal: 'true' }, 'en');
    expect(note.status).toBe(409);
    expect(await note.text()).toContain('This request is closed');
  });
});
