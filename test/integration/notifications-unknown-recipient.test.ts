// Topics of its own: another suite's notifications, consuming shared ones, would email this
// file's events too (a second email where it counts one).
import '../support/private-topics';
import {
  ALL_TOPICS,
  makeEvent,
  makeTicketEvent,
  parseTicketEvent,
  TOPICS,
  type TicketChange,
  type TicketFacts,
  type UserFacts,
} from '@woop/contracts';
import { createEventPublisher, createKafka, createLogger, ensureTopics } from '@woop/service-kit';
import { DeliveryKeys } from '../../services/notifications/src/model/store';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { readEvents } from '../support/kafka-events';
import { emailsTo, waitForEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';

/**
 * A person who signs up and files a request at once: identity's `user.registered` and the
 * workflow's `ticket.created` travel on different topics, in no order between them. The
 * request's email waits for the person (parked, dead-lettered after the retry time), goes out
 * once they are known, and never twice to the others; an erased person is never waited for.
 */
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafka = createKafka('notifications-unknown-test', brokers, logger);
beforeAll(() => ensureTopics(kafka, ALL_TOPICS));
const publisher = createEventPublisher(kafka);
afterAll(() => publisher.close());

const userRegistered = (userId: string, facts: Partial<UserFacts> = {}) =>
  makeEvent({
    id: uniqueId('evt'),
    source: 'test',
    type: 'user.registered',
    subject: userId,
    data: {
      user: {
        userId,
        email: `${userId}@enseigne.example`,
        fullName: `Nom ${userId}`,
        role: 'customer',
        orgAdmin: false,
        teams: [],
        locale: 'fr',
        status: 'active',
        ...facts,
      },
    },
  });
const userErased = (userId: string) =>
  makeEvent({ id: uniqueId('evt'), source: 'test', type: 'user.erased', subject: userId, data: { userId, by: 'dpo' } });

const TEAM = uniqueId('team');
const ticketEvent = (change: TicketChange, reference: string, ticket: Partial<TicketFacts>) =>
  parseTicketEvent(
    makeTicketEvent(
      change,
      {
        reference,
        version: 2,
        status: 'open',
        priority: 'medium',
        requestType: 'ask-a-question',
        organizationId: 'org-retailer',
        requester: { id: 'nobody', name: 'Nobody' },
        sharedWith: [],
        summary: 'Colis perdu',
        confidential: false,
        assignment: { team: TEAM },
        escalated: false,
        ...ticket,
      },
      0,
      new Date(),
    ),
  );
const filed = (requester: { id: string; name: string }): TicketChange => ({
  type: 'ticket.created',
  data: { actor: { ...requester, role: 'customer' } },
});
const address = (userId: string) => `${userId}@enseigne.example`;
const about = (reference: string) => (e: { subject: string }) => e.subject.includes(reference);
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a ticket email for a person notifications does not know yet', () => {
  let n: Awaited<ReturnType<typeof startNotifications>>;
  beforeAll(async () => {
    n = await startNotifications();
  });
  afterAll(() => n.stop());

  it('is sent once when the user event arrives after the ticket event, and not before', async () => {
    const [nina, hugo] = [uniqueId('nina'), uniqueId('hugo')];
    await n.service.handle(userRegistered(hugo));
    const reference = `SUPPORT-${uniqueId('u')}`;
    const requester = { id: nina, name: 'Nina' };
    await publisher.publish(TOPICS.tickets.name, [
      ticketEvent(filed(requester), reference, { requester, sharedWith: [hugo] }),
    ]);

    // The person it is shared with is not held back by the one not known yet.
    await waitForEmail((e) => e.to.some((t) => t.address === address(hugo)) && about(reference)(e), 15_000);
    await settle(1_500);
    expect((await emailsTo(address(nina))).filter(about(reference))).toEqual([]);

    await publisher.publish(TOPICS.users.name, [userRegistered(nina)]);
    const mail = await waitForEmail(
      (e) => e.to.some((t) => t.address === address(nina)) && about(reference)(e),
      30_000,
    );
    expect(mail.subject).toBe(`[${reference}] Votre demande a bien été reçue`);
    expect(mail.text).toContain(`Nom ${nina}`);
    await settle(2_000); // time for a second copy to show up, if any
    expect((await emailsTo(address(nina))).filter(about(reference))).toHaveLength(1);
    expect((await emailsTo(address(hugo))).filter(about(reference))).toHaveLength(1);
    expect(await n.service.models.Awaiting.countDocuments({ userId: nina })).toBe(0);
  });

  it("never waits for an erased person: a tombstone, skipped, and the ticket's next events go on", async () => {
    const [zoe, hugo] = [uniqueId('zoe'), uniqueId('hugo')];
    await n.service.handle(userRegistered(hugo));
    await publisher.publish(TOPICS.users.name, [userRegistered(zoe)]);
    await publisher.publish(TOPICS.users.name, [userErased(zoe)]);
    const tombstone = await eventually(
      () => n.service.models.Recipient.findById(zoe).lean(),
      (r) => r?.status === 'erased',
    );
    // Nothing personal kept: no address, no name, no language.
    expect(Object.keys(tombstone!).sort()).toEqual(['_id', 'active', 'status', 'updatedAt']);

    // A user event read again after the erasure (a replay) does not bring her back.
    await n.service.handle(userRegistered(zoe));
    expect(await n.service.models.Recipient.findById(zoe).lean()).toMatchObject({ status: 'erased' });
    expect((await n.service.models.Recipient.findById(zoe).lean())?.email).toBeUndefined();

    const reference = `SUPPORT-${uniqueId('z')}`;
    const requester = { id: zoe, name: 'Personne supprimée' };
    const shared = { requester, sharedWith: [hugo] };
    const started = Date.now();
    await publisher.publish(TOPICS.tickets.name, [
      ticketEvent(filed(requester), reference, shared),
      ticketEvent(
        {
          type: 'ticket.started',
          data: {
            statusChange: { from: 'assigned', to: 'in_progress' },
            actor: { id: 'a-paul', name: 'Paul', role: 'agent' },
          },
        },
        reference,
        { ...shared, status: 'in_progress' },
      ),
    ]);
    // The second event (same ticket, same partition) comes well before the retries would end.
    await waitForEmail(
      (e) => e.to.some((t) => t.address === address(hugo)) && about(reference)(e) && /état/.test(e.subject),
      15_000,
    );
    expect(Date.now() - started).toBeLessThan(12_000);
    await settle(1_000);
    expect(await emailsTo(address(zoe))).toEqual([]);
    expect(await n.service.models.Awaiting.countDocuments({ userId: zoe })).toBe(0);
  });
});

describe('a ticket email whose recipient is still unknown after the retry time', () => {
  // Events handled as the consumer does (`handle`); the sweep run by hand.
  let n: Awaited<ReturnType<typeof startNotifications>>;
  beforeAll(async () => {
    n = await startNotifications({ CONSUME: 'false' });
  });
  afterAll(() => n.stop());

  it('is parked on the dead-letter topic, then sent once by the user event, and by nothing else', async () => {
    const [lea, hugo, agent] = [uniqueId('lea'), uniqueId('hugo'), uniqueId('agent')];
    await n.service.handle(userRegistered(hugo));
    const reference = `SUPPORT-${uniqueId('p')}`;
    const requester = { id: lea, name: 'Léa' };
    const created = ticketEvent(filed(requester), reference, {
      requester,
      sharedWith: [hugo],
      // The assigned agent is not known yet either: the agents' email waits too.
      assignment: { team: TEAM, agentId: agent },
    });
    // A comment: the others and the assigned agent are told, not its author.
    const commented = ticketEvent(
      {
        type: 'ticket.commented',
        data: { body: 'Toujours rien.', actor: { id: hugo, name: 'Hugo', role: 'customer' } },
      },
      reference,
      { requester, sharedWith: [hugo], assignment: { team: TEAM, agentId: agent } },
    );
    await n.service.handle(created);
    await n.service.handle(commented);
    const keys = new DeliveryKeys(n.config.LINK_SEALING_KEY);
    const parked = await n.service.models.Awaiting.find({ eventId: { $in: [created.id, commented.id] } }).lean();
    expect(parked.map((r) => r._id).sort()).toEqual(
      [keys.id(created.id, lea), keys.id(commented.id, lea), keys.id(commented.id, `agent:${agent}`)].sort(),
    );
    // Within the retry time, no dead letter; past it, one per email, however many sweeps.
    expect(await n.service.awaiting.sweep()).toBe(0);
    const later = Date.now() + 60_000;
    expect(await n.service.awaiting.sweep(later)).toBe(3);
    expect(await n.service.awaiting.sweep(later)).toBe(0);
    const letters = await readEvents(
      kafka,
      TOPICS.notificationsDeadLetter.name,
      (e) => e.id === created.id || e.id === commented.id,
      (es) => es.length >= 3,
    );
    expect(letters.map((e) => (e.data.deadLetter as { recipient: string }).recipient).sort()).toEqual(
      [keys.digest(lea), keys.digest(lea), keys.digest(`agent:${agent}`)].sort(),
    );
    expect((await emailsTo(address(hugo))).filter(about(reference))).toHaveLength(1); // created, to Hugo
    // Delivered again: parked already, no second row, no wait.
    const again = Date.now();
    await n.service.handle(created);
    expect(Date.now() - again).toBeLessThan(1_000);
    expect(await emailsTo(address(lea))).toEqual([]);

    await n.service.handle(userRegistered(lea));
    await waitForEmail((e) => e.to.some((t) => t.address === address(lea)) && /Toujours rien/.test(e.text ?? ''));
    await n.service.handle(userRegistered(agent, { email: address(agent), role: 'agent', teams: [TEAM] }));
    await waitForEmail((e) => e.to.some((t) => t.address === address(agent)) && about(reference)(e));
    // Her next change, a replay of the dead letters, the event delivered once more: nothing new.
    await n.service.handle(userRegistered(lea, { fullName: 'Léa Renommée' }));
    await n.service.handle(created, undefined, keys.digest(lea));
    await n.service.handle(commented);
    await settle(1_500);
    const toLea = (await emailsTo(address(lea))).filter(about(reference));
    expect(toLea.map((e) => e.subject).sort()).toEqual(
      [`[${reference}] Nouveau commentaire`, `[${reference}] Votre demande a bien été reçue`].sort(),
    );
    expect((await emailsTo(address(agent))).filter(about(reference))).toHaveLength(1);
    expect((await emailsTo(address(hugo))).filter(about(reference))).toHaveLength(1);
    expect(await n.service.models.Awaiting.countDocuments({ userId: { $in: [lea, agent] } })).toBe(0);
  });

  it('is dropped from the parked ones when the person is erased, and never sent', async () => {
    const max = uniqueId('max');
    const reference = `SUPPORT-${uniqueId('e')}`;
    const requester = { id: max, name: 'Max' };
    await n.service.handle(ticketEvent(filed(requester), reference, { requester }));
    expect(await n.service.models.Awaiting.countDocuments({ userId: max })).toBe(1);
    await n.service.handle(userErased(max));
    expect(await n.service.models.Awaiting.countDocuments({ userId: max })).toBe(0);
    await n.service.handle(userRegistered(max)); // read again after it: no revival, nothing sent
    await settle(1_000);
    expect(await emailsTo(address(max))).toEqual([]);
  });
});
