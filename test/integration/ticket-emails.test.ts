import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { emailsTo, headerOf, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Each email once: a running local stack shares the topics and its notifications service may
 * send a twin of an email, with the same Message-ID (event and recipient), which counts once.
 */
const once = (emails: CaughtEmail[]) =>
  emails.filter((e, i) => emails.findIndex((o) => headerOf(o, 'message-id') === headerOf(e, 'message-id')) === i);

/**
 * End to end through the real pieces, nothing built by hand: a request filed through the tickets
 * service starts its workflow on the dev server, whose activity publishes the contract's
 * `ticket.*` events on Kafka, which the notifications service (its own consumer group) turns
 * into the emails MailDev catches.
 */
describe('ticket events from the workflow to the mail catcher', () => {
  let api: TicketsApi;
  let n: Awaited<ReturnType<typeof startNotifications>>;
  beforeAll(async () => {
    n = await startNotifications();
    api = await startTicketsApi();
  });
  afterAll(async () => {
    await api?.stop();
    await n?.stop();
  });

  it('emails the requester "received", each move, and the answer to validate exactly once', async () => {
    const [claireId, paulId] = [uniqueId('claire'), uniqueId('paul')];
    const claire = person(claireId, 'customer', {
      organizationId: 'org-enseigne',
      name: 'Claire Durand',
      email: `${claireId}@enseigne.example`,
    });
    const paul = person(paulId, 'agent', { teams: ['support'], name: 'Paul Agent', email: `${paulId}@woop.example` });
    // Identity's user.* events: the tickets service's directory and the notifications' copy.
    await api.registerPeople([claire, paul]);
    await eventually(
      () => n.service.models.Recipient.find({ _id: { $in: [claireId, paulId] } }).lean(),
      (rows) => rows.length === 2,
    );

    const summary = 'Où est ma livraison ?';
    const filed = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary,
      description: 'Commande CMD-42',
    });
    expect(filed.status).toBe(201);
    const reference = (filed.body.ticket as { reference: string }).reference;
    const about = (address: string) => (e: CaughtEmail) =>
      e.to.some((t) => t.address === address) && e.subject.startsWith(`[${reference}]`);

    const received = await waitForEmail(about(claire.email), 30_000);
    expect(received.subject).toBe(`[${reference}] Votre demande a bien été reçue`);
    expect([headerOf(received, 'x-woop-event-type'), headerOf(received, 'x-woop-event-id')]).toEqual([
      'ticket.created',
      `${reference}:1:0:ticket.created`,
    ]);
    const toPaul = await waitForEmail(about(paul.email), 30_000);
    expect(toPaul.subject).toBe(`[${reference}] Nouvelle demande dans la file support : ${summary}`);

    const act = async (action: string, payload: Record<string, unknown> = {}) => {
      const res = await api.call(paul, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
      expect([action, res.status]).toEqual([action, 200]);
    };
    await act('qualify', { priority: 'high', billable: false, assignment: { agentId: paulId } });
    await act('start');
    await act('resolve', { answer: 'Livrée ce matin au quai 3.' });

    const answer = await waitForEmail(
      (e) => about(claire.email)(e) && e.subject === `[${reference}] Une réponse attend votre validation`,
      30_000,
    );
    expect(answer.text).toContain('Livrée ce matin au quai 3.');
    expect(headerOf(answer, 'x-woop-event-id')).toBe(`${reference}:4:0:ticket.resolved`);
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second email about it to show up, if any

    // One email per action, in order: the two moves say so; the resolve, only the answer.
    const got = once((await emailsTo(claire.email)).filter(about(claire.email)));
    expect(got.map((e) => [headerOf(e, 'x-woop-event-type'), e.subject])).toEqual([
      ['ticket.created', `[${reference}] Votre demande a bien été reçue`],
      ['ticket.qualified', `[${reference}] L'état de votre demande a changé`],
      ['ticket.started', `[${reference}] L'état de votre demande a changé`],
      ['ticket.resolved', `[${reference}] Une réponse attend votre validation`],
    ]);
    expect(got[1]?.text).toContain("L'état de votre demande est désormais Attribué.");
    expect(got[2]?.text).toContain("L'état de votre demande est désormais En cours.");
    // Paul acted on it himself: he was told of the new request only.
    expect(once((await emailsTo(paul.email)).filter(about(paul.email)))).toHaveLength(1);
  });
});
