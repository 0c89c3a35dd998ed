// Topics of its own: another suite's notifications, consuming shared ones, would email this
// file's events too (a second email where it counts one).
import '../support/private-topics';
import { join } from 'node:path';
import {
  ALL_TOPICS,
  makeEvent,
  makeTicketEvent,
  parseTicketEvent,
  TOPICS,
  type Actor,
  type EventEnvelope,
  type TicketChange,
  type TicketFacts,
  type UserFacts,
} from '@woop/contracts';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  ensureTopics,
  IDENTITY_HEADER,
  signIdentity,
} from '@woop/service-kit';
import { messageIdFor } from '../../services/notifications/src/consumers/mail/headers';
import { DeliveryKeys } from '../../services/notifications/src/model/store';
import { eventually } from '../support/eventually';
import { startIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { readEvents } from '../support/kafka-events';
import { linksIn, listEmails, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { freePort, spawnNode, type Spawned } from '../support/processes';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafka = createKafka('notifications-test', brokers, logger);
beforeAll(() => ensureTopics(kafka, ALL_TOPICS));

const publisher = createEventPublisher(kafka);
afterAll(() => publisher.close());

const userRegistered = (userId: string, email: string, locale: 'fr' | 'en' = 'fr', facts: Partial<UserFacts> = {}) =>
  makeEvent({
    id: uniqueId('evt'),
    source: 'test',
    type: 'user.registered',
    subject: userId,
    data: {
      user: {
        userId,
        email,
        fullName: `Nom ${userId}`,
        role: 'customer',
        orgAdmin: false,
        teams: [],
        locale,
        status: 'active',
        ...facts,
      },
    },
  });

const signed = (userId: string, role: 'customer' | 'agent', secret: string) => ({
  'content-type': 'application/json',
  [IDENTITY_HEADER]: signIdentity(
    { userId, role, name: userId, email: `${userId}@woop.example`, orgAdmin: false, teams: [], locale: 'fr' },
    secret,
  ),
});

// Agents of a team are emailed its new requests, and other runs register agents (of `support`)
// on the shared users topic: the tickets here belong to a team of this run only.
const TEAM = uniqueId('team');

/** A ticket event as the workflow publishes it (version 2 of the contract), checked. */
const ticketEvent = (change: TicketChange, reference: string, ticket: Partial<TicketFacts>) =>
  parseTicketEvent(
    makeTicketEvent(
      change,
      {
        reference,
        version: 2,
        status: 'in_progress',
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
const agentPaul: Actor = { id: 'a-paul', name: 'Paul', role: 'agent' };

/** An account email with no other effect: handy to watch one email through the service. */
const notAllowed = (email: string, locale: 'fr' | 'en'): EventEnvelope =>
  makeEvent({
    id: uniqueId('evt'),
    source: 'test',
    type: 'user.signup_not_allowed',
    subject: email,
    data: { email, locale },
  });

const emailsTo = async (address: string): Promise<CaughtEmail[]> =>
  (await listEmails()).filter((e) => e.to.some((t) => t.address === address));

describe('notifications on Kafka, FerretDB and the mail catcher', () => {
  let n: Awaited<ReturnType<typeof startNotifications>>;
  beforeAll(async () => {
    n = await startNotifications();
  });
  afterAll(() => n.stop());

  it('walks the whole sign-up from the email actually received', async () => {
    const identity = await startIdentity();
    const post = (path: string, body: unknown) =>
      fetch(`${identity.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      const email = `${uniqueId('signup')}@enseigne.example`;
      expect((await post('/signup', { email })).status).toBe(202);
      const mail = await waitForEmail(
        (e) => e.to.some((t) => t.address === email) && /\/signup\/complete\?token=/.test(e.text ?? ''),
        30_000,
      );
      expect(mail.subject).toContain('Almost done!');
      expect(mail.text).toContain('Suivez le lien ci-dessous pour terminer votre inscription');
      const link = /(http:\/\/\S+\/signup\/complete\?token=\S+)/.exec(mail.text ?? '')?.[1] ?? '';
      const token = new URL(link).searchParams.get('token');
      const done = await post('/signup/complete', {
        token,
        fullName: 'Nina Nouvelle',
        password: 'un cheval correct agrafe',
      });
      expect(done.status).toBe(201);
      expect(await done.json()).toMatchObject({ identity: { email, role: 'customer' } });
    } finally {
      await identity.stop();
    }
  });

  it('emails sign-up and reset links whose token is never published nor stored: single-use', async () => {
    const since = Date.now();
    const identity = await startIdentity();
    const post = (path: string, body: unknown) =>
      fetch(`${identity.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const hasLink = (mail: CaughtEmail, path: string) => linksIn(mail).some((l) => new URL(l).pathname === path);
    const tokenIn = (mail: CaughtEmail, path: string) => {
      const link = linksIn(mail).find((l) => new URL(l).pathname === path) ?? '';
      return new URL(link).searchParams.get('token') ?? '';
    };
    try {
      const email = `${uniqueId('sealed')}@enseigne.example`;
      expect((await post('/signup', { email })).status).toBe(202);
      const signupMail = await waitForEmail(
        (e) => e.to.some((t) => t.address === email) && hasLink(e, '/signup/complete'),
        30_000,
      );
      const signupToken = tokenIn(signupMail, '/signup/complete');
      expect(signupToken).toMatch(/^wpl_[\w-]{43}$/);
      const done = await post('/signup/complete', {
        token: signupToken,
        fullName: 'Scellée',
        password: 'un cheval correct agrafe',
      });
      expect(done.status).toBe(201);
      const userId = ((await done.json()) as { identity: { userId: string } }).identity.userId;

      expect((await post('/password-reset', { email })).status).toBe(202);
      const resetMail = await waitForEmail(
        (e) => e.to.some((t) => t.address === email) && hasLink(e, '/password-reset/complete'),
        30_000,
      );
      const resetToken = tokenIn(resetMail, '/password-reset/complete');
      expect(resetToken).toMatch(/^wpl_[\w-]{43}$/);

      // Everything the users topic carries about this person, and everything identity stores of
      // its links (outbox included): no token, nor its random part, appears anywhere.
      const published = await readEvents(
        kafka,
        TOPICS.users.name,
        (e) => Date.parse(e.time) >= since && (e.data.email === email || e.subject === userId),
        // Both: keyed by (a digest of) the address or by user, they may sit on different partitions, read in any order.
        (es) => ['user.signup_requested', 'user.password_reset_requested'].every((t) => es.some((e) => e.type === t)),
      );
      expect(published.map((e) => [e.type, e.dataversion])).toEqual(
        expect.arrayContaining([
          ['user.signup_requested', 2],
          ['user.password_reset_requested', 2],
        ]),
      );
      const stored = await identity.svc.models.LinkToken.find({ email }).lean();
      expect(stored.map((r) => r.purpose).sort()).toEqual(['reset', 'signup']);
      for (const token of [signupToken, resetToken]) {
        for (const secret of [token, token.slice('wpl_'.length), encodeURIComponent(token)]) {
          expect(JSON.stringify(published)).not.toContain(secret);
          expect(JSON.stringify(stored)).not.toContain(secret);
        }
      }

      // Single use: the reset link works once.
      const reset = () => post('/password-reset/complete', { token: resetToken, password: 'une phrase toute neuve' });
      expect((await reset()).status).toBe(200);
      expect(await (await reset()).json()).toMatchObject({ code: 'link_used' });
    } finally {
      await identity.stop();
    }
  });

  it('sends one email for an event delivered twice, with a Message-ID made of event and recipient', async () => {
    const userId = uniqueId('u');
    const email = `${userId}@enseigne.example`;
    await publisher.publish(TOPICS.users.name, [userRegistered(userId, email)]);
    await eventually(
      () => n.service.models.Recipient.findById(userId).lean(),
      (r) => r !== null,
    );
    const reference = `SUPPORT-${uniqueId('n')}`;
    const requester = { id: userId, name: 'X' };
    const created = ticketEvent(filed(requester), reference, { requester });
    await publisher.publish(TOPICS.tickets.name, [created]);
    await publisher.publish(TOPICS.tickets.name, [created]);
    const mail = await waitForEmail((e) => e.to.some((t) => t.address === email) && e.subject.includes(reference));
    expect(mail.subject).toBe(`[${reference}] Votre demande a bien été reçue`);
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second copy to show up, if any
    expect(await emailsTo(email)).toHaveLength(1);
    expect(mail.messageId ?? mail.headers['message-id']).toContain(messageIdFor(created.id, userId).slice(1, -1));

    const log = await fetch(`${n.base}/deliveries?reference=${reference}`, {
      headers: {
        [IDENTITY_HEADER]: signIdentity(
          { userId: 'a', role: 'agent', name: 'A', email: 'a@woop.example', orgAdmin: false, teams: [], locale: 'fr' },
          n.config.INTERNAL_AUTH_SECRET,
        ),
      },
    });
    expect(((await log.json()) as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ eventId: created.id, address: email, status: 'sent', template: 'ticket-created' }),
    ]);
  });

  it('sends once when two copies handle the same event at the same time', async () => {
    const second = await startNotifications({ CONSUME: 'false', MONGODB_DB: n.config.MONGODB_DB });
    try {
      const email = `${uniqueId('twice')}@enseigne.example`;
      const event = notAllowed(email, 'fr');
      await Promise.all([n.service.handle(event), second.service.handle(event), n.service.handle(event)]);
      await waitForEmail((e) => e.to.some((t) => t.address === email));
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await emailsTo(email)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('respects "notifications off" and keeps confidential tickets to their reporter', async () => {
    const [claire, hugo] = [uniqueId('claire'), uniqueId('hugo')];
    for (const id of [claire, hugo]) await n.service.handle(userRegistered(id, `${id}@enseigne.example`));
    const reference = `SUPPORT-${uniqueId('p')}`;
    const identity = {
      userId: claire,
      role: 'customer' as const,
      name: 'Claire',
      email: `${claire}@enseigne.example`,
      orgAdmin: false,
      teams: [],
      locale: 'fr' as const,
    };
    const off = await fetch(`${n.base}/preferences/tickets/${reference}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity(identity, n.config.INTERNAL_AUTH_SECRET),
      },
      body: JSON.stringify({ enabled: false }),
    });
    expect(await off.json()).toEqual({ reference, enabled: false });

    const shared = { requester: { id: claire, name: 'Claire' }, sharedWith: [hugo] };
    const started: TicketChange = {
      type: 'ticket.started',
      data: { statusChange: { from: 'assigned', to: 'in_progress' }, actor: agentPaul },
    };
    await n.service.handle(ticketEvent(started, reference, shared));
    const confidential = `SUPPORT-${uniqueId('c')}`;
    await n.service.handle(ticketEvent(filed(shared.requester), confidential, { ...shared, confidential: true }));

    const toHugo = await emailsTo(`${hugo}@enseigne.example`);
    expect(toHugo.map((e) => e.subject)).toEqual([`[${reference}] L'état de votre demande a changé`]);
    expect(toHugo[0]?.text).toContain("L'état de votre demande est désormais En cours.");
    const toClaire = await emailsTo(`${claire}@enseigne.example`);
    expect(toClaire.map((e) => e.subject)).toEqual([`[${confidential}] Votre demande a bien été reçue`]);
  });

  it("shows a confidential ticket's deliveries only to those who may see the ticket", async () => {
    const claire = uniqueId('claire');
    await n.service.handle(userRegistered(claire, `${claire}@enseigne.example`));
    const requester = { id: claire, name: 'Claire' };
    const [secret, handedOver, open] = ['s', 'h', 'o'].map((p) => `SUPPORT-${uniqueId(p)}`) as [string, string, string];
    await n.service.handle(
      ticketEvent(filed(requester), secret, { requester, confidential: true, assignment: { team: 'security' } }),
    );
    await n.service.handle(
      ticketEvent(filed(requester), handedOver, { requester, confidential: true, assignment: { team: 'support' } }),
    );
    await n.service.handle(ticketEvent(filed(requester), open, { requester }));

    const agent = (userId: string, teams: string[], role: 'agent' | 'admin' = 'agent') => ({
      [IDENTITY_HEADER]: signIdentity(
        { userId, role, name: userId, email: `${userId}@woop.example`, orgAdmin: false, teams, locale: 'fr' },
        n.config.INTERNAL_AUTH_SECRET,
      ),
    });
    const addresses = async (headers: Record<string, string>, query: string) => {
      const res = await fetch(`${n.base}/deliveries?${query}`, { headers });
      expect(res.status).toBe(200);
      // The reporter's rows (the agents of a shared team name like security may be anyone's).
      return ((await res.json()) as { items: Array<{ address: string }> }).items
        .map((i) => i.address)
        .filter((a) => a.endsWith('@enseigne.example'));
    };
    const reporter = [`${claire}@enseigne.example`];
    const paul = agent('paul', ['support']);
    const other = agent('olga', ['billing']);
    const sarah = agent('sarah', ['security']);
    const admin = agent('admin', [], 'admin');
    // The confidential one left with security: security and admins only.
    expect(await addresses(paul, `reference=${secret}`)).toEqual([]);
    expect(await addresses(other, `reference=${secret}`)).toEqual([]);
    expect(await addresses(sarah, `reference=${secret}`)).toEqual(reporter);
    expect(await addresses(admin, `reference=${secret}`)).toEqual(reporter);
    // Handed over to support: its agents see it too, nobody else.
    expect(await addresses(paul, `reference=${handedOver}`)).toEqual(reporter);
    expect(await addresses(other, `reference=${handedOver}`)).toEqual([]);
    // Not by its address either; a request that is not confidential any agent sees.
    expect(await addresses(other, `address=${claire}@enseigne.example`)).toEqual(reporter);
    expect(await addresses(paul, `address=${claire}@enseigne.example`)).toEqual([...reporter, ...reporter]);
    expect(await addresses(sarah, `address=${claire}@enseigne.example`)).toHaveLength(3);
  });

  it("emails the agents of a request's team once, in their language, unless they turned it off", async () => {
    // A team of this run only: other runs' tickets on the shared topic never reach these agents.
    const team = uniqueId('team');
    const [paul, sam, mute, outsider] = ['paul', 'sam', 'mute', 'outsider'].map((p) => uniqueId(p));
    const agentEvents = [
      userRegistered(paul!, `${paul}@woop.example`, 'fr', { role: 'agent', teams: [team] }),
      userRegistered(sam!, `${sam}@woop.example`, 'en', { role: 'agent', teams: ['support', team] }),
      userRegistered(mute!, `${mute}@woop.example`, 'fr', { role: 'agent', teams: [team] }),
      userRegistered(outsider!, `${outsider}@woop.example`, 'fr', { role: 'agent', teams: [uniqueId('other')] }),
    ];
    await publisher.publish(TOPICS.users.name, agentEvents);
    await eventually(
      () => n.service.models.Recipient.find({ teams: team, role: 'agent' }).lean(),
      (rows) => rows.length === 3,
    );

    // The switch: on by default, for agents only.
    const secret = n.config.INTERNAL_AUTH_SECRET;
    const pref = `${n.base}/preferences/agent-emails`;
    expect(await (await fetch(pref, { headers: signed(mute!, 'agent', secret) })).json()).toEqual({ enabled: true });
    const off = await fetch(pref, {
      method: 'PUT',
      headers: signed(mute!, 'agent', secret),
      body: JSON.stringify({ enabled: false }),
    });
    expect([off.status, await off.json()]).toEqual([200, { enabled: false }]);
    expect(await (await fetch(pref, { headers: signed(mute!, 'agent', secret) })).json()).toEqual({ enabled: false });
    const customer = await fetch(pref, { headers: signed(uniqueId('claire'), 'customer', secret) });
    expect([customer.status, ((await customer.json()) as { code?: string }).code]).toEqual([403, 'forbidden']);

    const reference = `SUPPORT-${uniqueId('a')}`;
    const requester = { id: uniqueId('claire'), name: 'Claire Martin' };
    const created = ticketEvent(filed(requester), reference, { status: 'open', requester, assignment: { team } });
    await publisher.publish(TOPICS.tickets.name, [created]);
    await publisher.publish(TOPICS.tickets.name, [created]);
    const toPaul = await waitForEmail((e) => e.to.some((t) => t.address === `${paul}@woop.example`), 30_000);
    expect(toPaul.subject).toBe(`[${reference}] Nouvelle demande dans la file ${team} : Colis perdu`);
    expect(toPaul.text).toContain(`${n.config.PORTAL_URL}/requests/${reference}`);
    expect(toPaul.text).toContain('déposée par Claire Martin');
    expect(toPaul.messageId ?? toPaul.headers['message-id']).toContain(
      messageIdFor(created.id, `agent:${paul}`).slice(1, -1),
    );
    const toSam = await waitForEmail((e) => e.to.some((t) => t.address === `${sam}@woop.example`));
    expect(toSam.subject).toBe(`[${reference}] New request in the ${team} queue: Colis perdu`);

    // The customer moves on it, once it is Paul's: he alone is told, in his own words.
    const assigned = { requester, assignment: { team, agentId: paul } };
    const actor: Actor = { ...requester, role: 'customer' };
    const informed = ticketEvent(
      {
        type: 'ticket.information_provided',
        data: { body: 'Commande CMD-42', statusChange: { from: 'waiting_for_customer', to: 'in_progress' }, actor },
      },
      reference,
      assigned,
    );
    const reopened = ticketEvent(
      {
        type: 'ticket.reopened',
        data: { reason: 'Toujours rien reçu', statusChange: { from: 'done', to: 'in_progress' }, actor },
      },
      reference,
      assigned,
    );
    await publisher.publish(TOPICS.tickets.name, [informed, reopened, informed]);
    const subjects = [
      `[${reference}] Informations reçues du client : Colis perdu`,
      `[${reference}] Demande rouverte par le client : Colis perdu`,
    ];
    await eventually(
      () => emailsTo(`${paul}@woop.example`),
      (list) => list.length >= 3,
    );
    await new Promise((r) => setTimeout(r, 2_000)); // time for a second copy to show up, if any
    const paulGot = await emailsTo(`${paul}@woop.example`);
    expect(paulGot.map((e) => e.subject).sort()).toEqual([toPaul.subject, ...subjects].sort());
    expect(paulGot.find((e) => e.subject === subjects[0])?.text).toContain('Commande CMD-42');
    expect(paulGot.find((e) => e.subject === subjects[1])?.text).toContain('Toujours rien reçu');
    expect((await emailsTo(`${sam}@woop.example`)).map((e) => e.subject)).toEqual([toSam.subject]);
    expect(await emailsTo(`${mute}@woop.example`)).toEqual([]);
    expect(await emailsTo(`${outsider}@woop.example`)).toEqual([]);

    const log = await n.service.models.Delivery.find({ reference, recipientId: paul }).lean();
    const keys = new DeliveryKeys(n.config.LINK_SEALING_KEY);
    expect(log.map((d) => [d._id, d.status]).sort()).toEqual(
      [created, informed, reopened].map((e) => [keys.id(e.id, `agent:${paul}`), 'sent']).sort(),
    );
  });

  it('anonymises the people and the delivery log on user.erased', async () => {
    const userId = uniqueId('erase');
    const email = `${userId}@enseigne.example`;
    await n.service.handle(userRegistered(userId, email));
    const requester = { id: userId, name: 'E' };
    await n.service.handle(ticketEvent(filed(requester), `SUPPORT-${uniqueId('e')}`, { requester }));
    await n.service.handle(
      makeEvent({
        id: uniqueId('evt'),
        source: 'test',
        type: 'user.erased',
        subject: userId,
        data: { userId, by: 'dpo' },
      }),
    );
    expect(await n.service.models.Recipient.findById(userId).lean()).toEqual({
      _id: userId,
      status: 'erased',
      active: false,
      updatedAt: expect.any(Date),
    });
    const rows = await n.service.models.Delivery.find({ recipientId: userId }).lean();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.address === 'erased@invalid')).toBe(true);
  });
});

describe('notifications while SMTP is down', () => {
  const MAILDEV = join('node_modules', 'maildev', 'dist', 'bin', 'maildev.js');
  let catcher: Spawned | undefined;
  afterAll(async () => {
    await catcher?.stop();
  });

  it('retries with backoff and delivers once, late, when SMTP comes back', async () => {
    const [smtpPort, webPort] = [await freePort(), await freePort()];
    const n = await startNotifications({
      CONSUME: 'false',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      NOTIFICATIONS_BACKOFF_MS: '500',
    });
    try {
      const email = `${uniqueId('late')}@enseigne.example`;
      const event: EventEnvelope = notAllowed(email, 'en');
      const handled = n.service.handle(event);
      const failing = await eventually(
        () => n.service.models.Delivery.findOne({ eventId: event.id }).lean(),
        (d) => (d?.attempts ?? 0) >= 2,
      );
      expect(failing).toMatchObject({ status: 'claimed', error: expect.stringContaining('ECONNREFUSED') });

      catcher = spawnNode(
        MAILDEV,
        ['--ip', '127.0.0.1', '--smtp', String(smtpPort), '--web-ip', '127.0.0.1', '--web', String(webPort)],
        {},
      );
      await handled;
      const api = `http://127.0.0.1:${webPort}/api/email`;
      const inbox = await eventually(
        async () =>
          ((await (await fetch(api)).json()) as CaughtEmail[]).filter((e) => e.to.some((t) => t.address === email)),
        (list) => list.length > 0,
      );
      expect(inbox).toHaveLength(1);
      expect(inbox[0]?.subject).toBe('Signing up to Support portal');
      expect(await n.service.models.Delivery.findOne({ eventId: event.id }).lean()).toMatchObject({ status: 'sent' });
    } finally {
      await n.stop();
    }
  });

  it('parks the email on the dead-letter topic after the last try; the retry command sends it once', async () => {
    const n = await startNotifications({
      CONSUME: 'false',
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      NOTIFICATIONS_MAX_ATTEMPTS: '2',
      NOTIFICATIONS_BACKOFF_MS: '100',
    });
    try {
      const email = `${uniqueId('dead')}@enseigne.example`;
      const event = notAllowed(email, 'fr');
      await n.service.handle(event);
      expect(await n.service.models.Delivery.findOne({ eventId: event.id }).lean()).toMatchObject({
        status: 'failed',
        attempts: 2,
      });
      const parked = await readEvents(
        kafka,
        TOPICS.notificationsDeadLetter.name,
        (e) => e.id === event.id,
        (es) => es.length > 0,
      );
      // The recipient as the delivery log's keyed digest, never the address.
      expect(parked[0]?.data.deadLetter).toMatchObject({
        recipient: new DeliveryKeys(n.config.LINK_SEALING_KEY).digest(email),
      });

      // SMTP works again (the shared catcher): the retry command sends it, once.
      const retry = spawnNode('services/notifications/dist/consumers/retry-dead-letters.js', [], {
        MONGODB_DB: n.config.MONGODB_DB,
        SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025',
      });
      expect(await new Promise((r) => retry.child.once('exit', r))).toBe(0);
      await waitForEmail((e) => e.to.some((t) => t.address === email));
      expect(await emailsTo(email)).toHaveLength(1);
      expect(await n.service.models.Delivery.findOne({ eventId: event.id }).lean()).toMatchObject({ status: 'sent' });
    } finally {
      await n.stop();
    }
  });
});
