// Topics of its own: another suite's notifications, consuming the shared ones, would email its
// user events too (a second email where this file counts one).
import '../support/private-topics';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ALL_TOPICS, makeEvent, TOPICS, type EventEnvelope } from '@woop/contracts';
import { createEventPublisher, createKafka, createLogger, createSmtp, ensureTopics } from '@woop/service-kit';
import { loadNotificationsConfig } from '../../services/notifications/src/config';
import { Dispatcher } from '../../services/notifications/src/consumers/mail/dispatcher';
import { messageIdFor } from '../../services/notifications/src/consumers/mail/headers';
import { notificationsService } from '../../services/notifications/src/service';
import { applyUserEvent } from '../../services/notifications/src/model/directory';
import { DeliveryKeys } from '../../services/notifications/src/model/store';
import { createRenderer, type Renderer } from '../../services/notifications/src/consumers/mail/templates';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { readEvents } from '../support/kafka-events';
import { emailsTo, waitForEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { freePort } from '../support/processes';

/**
 * Issue 14, defect 5: an email is never lost silently. A claim left by a copy that died is taken
 * over once its lease lapses (it used to be skipped and its offset committed), a template that
 * throws parks the email on the dead-letter topic, and a consumer that could not start (Kafka
 * down at start) keeps trying, with /readyz down meanwhile.
 */
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafka = createKafka('notifications-resilience-test', brokers, logger);
const publisher = createEventPublisher(kafka);
beforeAll(() => ensureTopics(kafka, ALL_TOPICS));
afterAll(() => publisher.close());

const notAllowed = (email: string): EventEnvelope =>
  makeEvent({
    id: uniqueId('evt'),
    source: 'test',
    type: 'user.signup_not_allowed',
    subject: email,
    data: { email, locale: 'en' },
  });

describe('notifications never lose an email silently', () => {
  it('takes over the claim of a copy that died mid-send once its lease lapses, and sends once', async () => {
    const n = await startNotifications({ CONSUME: 'false', NOTIFICATIONS_CLAIM_LEASE_MS: '1500' });
    try {
      const email = `${uniqueId('orphan')}@enseigne.example`;
      const event = notAllowed(email);
      // What a copy killed 40 ms after its claim leaves behind: a young claim nobody will finish.
      await n.service.models.Delivery.create({
        _id: `${event.id}|${email}`,
        eventId: event.id,
        eventType: event.type,
        address: email,
        template: 'signup-not-allowed',
        status: 'claimed',
        claimedBy: 'a-copy-that-died',
        claimedAt: new Date(),
      });
      await n.service.handle(event); // the redelivery
      const row = await n.service.models.Delivery.findById(`${event.id}|${email}`).lean();
      expect(row).toMatchObject({ status: 'sent' });
      expect(row?.claimedBy).not.toBe('a-copy-that-died');
      await waitForEmail((e) => e.to.some((t) => t.address === email));
      expect(await emailsTo(email)).toHaveLength(1);
    } finally {
      await n.stop();
    }
  });

  it('does not send again an email a row keyed the old way (the address in clear) says was sent', async () => {
    const n = await startNotifications({ CONSUME: 'false' });
    try {
      const email = `${uniqueId('upgraded')}@enseigne.example`;
      const event = notAllowed(email);
      // A row written before ids were digests, for an email sent before the upgrade.
      await n.service.models.Delivery.create({
        _id: `${event.id}|${email}`,
        eventId: event.id,
        eventType: event.type,
        address: email,
        template: 'signup-not-allowed',
        status: 'sent',
        sentAt: new Date(),
      });
      await n.service.handle(event); // redelivered after the upgrade
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await emailsTo(email)).toHaveLength(0);
      expect(await n.service.models.Delivery.countDocuments({ eventId: event.id })).toBe(1);
      // A new event gets a row whose id does not carry the address.
      const next = notAllowed(email);
      await n.service.handle(next);
      const rows = await n.service.models.Delivery.find({ eventId: next.id }).lean();
      expect(rows).toHaveLength(1);
      expect(rows[0]!._id).not.toContain(email);
      expect(rows[0]!._id).toBe(new DeliveryKeys(n.config.LINK_SEALING_KEY).id(next.id, email));
    } finally {
      await n.stop();
    }
  });

  it('re-keys rows of the old way at erasure: no id, address or error keeps the address', async () => {
    const n = await startNotifications({ CONSUME: 'false' });
    try {
      const keys = new DeliveryKeys(n.config.LINK_SEALING_KEY);
      const userId = uniqueId('erased');
      const email = `${userId}@enseigne.example`;
      const { Recipient, Delivery } = n.service.models;
      await Recipient.create({ _id: userId, email, fullName: 'Zoé Effacée', status: 'active' });
      const [signup, ticket] = [uniqueId('evt'), uniqueId('evt')];
      const row = { eventType: 'user.signup_requested', template: 'signup', status: 'failed' as const };
      await Delivery.create({
        _id: `${signup}|${email}`,
        eventId: signup,
        address: email,
        ...row,
        error: `550 ${email}`,
      });
      await Delivery.create({
        _id: `${ticket}|${userId}`,
        eventId: ticket,
        recipientId: userId,
        address: email,
        ...row,
        messageId: messageIdFor(ticket, userId),
      });
      await applyUserEvent(n.service.models, 'user.erased', { userId }, keys);
      await applyUserEvent(n.service.models, 'user.erased', { userId }, keys); // twice: harmless
      const rows = await Delivery.find({ eventId: { $in: [signup, ticket] } }).lean();
      expect(rows.map((r) => r._id).sort()).toEqual([keys.id(signup, email), keys.id(ticket, userId)].sort());
      expect(JSON.stringify(rows)).not.toContain(email);
      expect(rows.every((r) => r.address === 'erased@invalid' && r.recipientId === userId && !r.messageId)).toBe(true);
      // A tombstone remains: her later events are skipped, not waited for as an unknown person's.
      expect(await Recipient.findById(userId).lean()).toEqual({
        _id: userId,
        status: 'erased',
        active: false,
        updatedAt: expect.any(Date),
      });
    } finally {
      await n.stop();
    }
  });

  it('waits for a live copy to finish instead of skipping, and never sends twice', async () => {
    const n = await startNotifications({ CONSUME: 'false', NOTIFICATIONS_CLAIM_LEASE_MS: '60000' });
    try {
      const email = `${uniqueId('busy')}@enseigne.example`;
      const event = notAllowed(email);
      const id = `${event.id}|${email}`;
      await n.service.models.Delivery.create({
        _id: id,
        eventId: event.id,
        eventType: event.type,
        address: email,
        template: 'signup-not-allowed',
        status: 'claimed',
        claimedBy: 'a-live-copy',
        claimedAt: new Date(),
      });
      let done = false;
      const redelivery = n.service.handle(event).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(done).toBe(false); // not skipped: the offset would have been committed
      await n.service.models.Delivery.updateOne({ _id: id }, { $set: { status: 'sent', sentAt: new Date() } });
      await redelivery;
      expect(await emailsTo(email)).toHaveLength(0); // the live copy sent it, not this one
    } finally {
      await n.stop();
    }
  });

  it('parks an email whose template throws on the dead-letter topic, once, with its error', async () => {
    const n = await startNotifications({ CONSUME: 'false' });
    const deadLetters = createEventPublisher(kafka);
    try {
      const real = createRenderer();
      const broken: Renderer = {
        ...real,
        render: () => {
          throw new Error('template exploded');
        },
      };
      const smtp = createSmtp(n.config.SMTP_URL);
      const dispatcher = new Dispatcher(n.service.models, smtp.transport, broken, deadLetters, logger, {
        from: n.config.MAIL_FROM,
        maxAttempts: 2,
        backoffMs: 100,
        claimLeaseMs: 60_000,
        keys: new DeliveryKeys(n.config.LINK_SEALING_KEY),
        reply: { key: n.config.MAIL_REPLY_KEY, supportAddress: n.config.MAIL_SUPPORT_ADDRESS },
      });
      const keys = new DeliveryKeys(n.config.LINK_SEALING_KEY);
      const email = `${uniqueId('broken')}@enseigne.example`;
      const event = notAllowed(email);
      const plan = [{ key: email, address: email, locale: 'en' as const, template: 'signup-not-allowed', data: {} }];
      await dispatcher.dispatch(event, plan as never);
      await dispatcher.dispatch(event, plan as never); // a redelivery parks nothing more
      expect(await n.service.models.Delivery.findById(keys.id(event.id, email)).lean()).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('template exploded'),
      });
      const parked = await readEvents(
        kafka,
        TOPICS.notificationsDeadLetter.name,
        (e) => e.id === event.id,
        (es) => es.length > 0,
      );
      // The recipient as the delivery log's keyed digest, never the address.
      expect(parked[0]?.data.deadLetter).toMatchObject({ recipient: keys.digest(email), error: 'template exploded' });
      expect(JSON.stringify(parked[0]?.data.deadLetter)).not.toContain(email);
      smtp.transport.close();
    } finally {
      await deadLetters.close();
      await n.stop();
    }
  });

  it('keeps trying to start its consumer while Kafka is unreachable, says not ready, then sends', async () => {
    // Kafka "down at start": the service's only broker address leads nowhere until a relay to the
    // real broker opens there (after bootstrap, clients talk to the broker's advertised address).
    const port = await freePort();
    const config = loadNotificationsConfig({
      MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017',
      MONGODB_DB: uniqueId('notifications').replace(/-/g, '_'),
      KAFKA_BROKERS: `127.0.0.1:${port}`,
      NOTIFICATIONS_GROUP_ID: uniqueId('notifications-test'),
      NOTIFICATIONS_FROM_BEGINNING: 'false',
    });
    const service = notificationsService(config, logger);
    const consumerCheck = service.parts.readiness.find((c) => c.name === 'notifications-consumer');
    let relay: Server | undefined;
    const sockets: Socket[] = [];
    try {
      expect(consumerCheck).toBeDefined();
      await new Promise((r) => setTimeout(r, 3_000)); // kafkajs gives up a first start meanwhile
      await expect(consumerCheck!.check()).rejects.toThrow(/not running/);

      const [host, brokerPort] = brokers[0]!.split(':');
      relay = createServer((client) => {
        const upstream = connect(Number(brokerPort), host);
        sockets.push(client, upstream);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((r) => relay!.listen(port, '127.0.0.1', r));
      await eventually(
        () =>
          consumerCheck!.check().then(
            () => true,
            () => false,
          ),
        (ok) => ok,
        60_000,
      );
      await service.joined;
      await new Promise((r) => setTimeout(r, 1_000)); // the group's first fetch position is set

      const email = `${uniqueId('late-start')}@enseigne.example`;
      await publisher.publish(TOPICS.users.name, [notAllowed(email)]);
      await waitForEmail((e) => e.to.some((t) => t.address === email));
      expect(await emailsTo(email)).toHaveLength(1);
    } finally {
      for (const c of service.parts.closeables) await c.close();
      await service.mongo.connection.dropDatabase().catch(() => undefined);
      for (const s of sockets) s.destroy();
      await new Promise((r) => (relay ? relay.close(r) : r(undefined)));
    }
  });
});
