import { businessMinutesBetween, PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { headerOf, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/** A due time as a person reads it: the weekday, the date and the hour in Paris (written out here, not the services' formatter). */
const inParis = (iso: string, locale: 'fr' | 'en') =>
  new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Paris',
  }).format(new Date(iso));

/**
 * The "demande reçue" email promises the first answer at the time the workflow computed on the
 * business calendar: a request filed through the tickets service starts its workflow on the dev
 * server, `ticket.created` carries the due time over Kafka, and the notifications service puts it
 * into the email MailDev catches, in each requester's language.
 */
describe('the "demande reçue" email promises the first answer', () => {
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

  it('at the due time on the business calendar, in Paris time, in French and in English', async () => {
    const [claireId, emmaId] = [uniqueId('claire'), uniqueId('emma')];
    const claire = person(claireId, 'customer', {
      organizationId: 'org-enseigne',
      name: 'Claire Durand',
      email: `${claireId}@enseigne.example`,
    });
    const emma = person(emmaId, 'customer', {
      organizationId: 'org-transports',
      name: 'Emma Stone',
      email: `${emmaId}@transports.example`,
      locale: 'en',
    });
    await api.registerPeople([claire, emma]);
    await eventually(
      () => n.service.models.Recipient.find({ _id: { $in: [claireId, emmaId] } }).lean(),
      (rows) => rows.length === 2,
    );

    const file = async (who: typeof claire, portal: 'retailer' | 'carrier') => {
      const res = await api.call(who, 'POST', '/tickets', {
        requestType: 'ask-a-question',
        portal,
        summary: 'Délai ?',
      });
      expect(res.status).toBe(201);
      const ticket = res.body.ticket as {
        reference: string;
        createdAt: string;
        sla: { firstResponse: { targetMinutes: number; breachAt: string } };
      };
      // The due time is the workflow's: the target in business minutes from the filing, on the
      // Paris office calendar (whatever the hour this test runs at: a night or a weekend moves it).
      const { targetMinutes, breachAt } = ticket.sla.firstResponse;
      expect(businessMinutesBetween(PARIS_OFFICE_CALENDAR, new Date(ticket.createdAt), new Date(breachAt))).toBeCloseTo(
        targetMinutes,
        3,
      );
      return { reference: ticket.reference, dueAt: breachAt };
    };
    const received = (address: string, reference: string) =>
      waitForEmail(
        (e: CaughtEmail) => e.to.some((t) => t.address === address) && e.subject.startsWith(`[${reference}]`),
        30_000,
      );

    const fr = await file(claire, 'retailer');
    const toClaire = await received(claire.email, fr.reference);
    expect(headerOf(toClaire, 'x-woop-event-type')).toBe('ticket.created');
    const frSentence = `Première réponse prévue avant le ${inParis(fr.dueAt, 'fr')}.`;
    expect(toClaire.text).toContain(frSentence);
    expect(toClaire.html).toContain(frSentence);
    expect(toClaire.text).toContain('Ce délai est suspendu lorsque nous attendons une information de votre part.');

    const en = await file(emma, 'carrier');
    const toEmma = await received(emma.email, en.reference);
    expect(toEmma.subject).toBe(`[${en.reference}] We received your request`);
    const enSentence = `First answer expected by ${inParis(en.dueAt, 'en')}.`;
    expect(toEmma.text).toContain(enSentence);
    expect(toEmma.html).toContain(enSentence);
  });
});
