// Topics of its own: the test searches everything on them and sets the users topic's compaction.
import '../support/private-topics';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { mongo } from 'mongoose';
import { ALL_TOPICS, ERASED_NAME, TOPICS, ticketWorkflowId, USERS_TOPIC_CONFIG } from '@woop/contracts';
import {
  createKafka,
  createLogger,
  ensureTopics,
  IDENTITY_HEADER,
  signRequest,
  temporalPayloadCodecFromEnv,
  type VerifiedIdentity,
} from '@woop/service-kit';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { linksIn, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGODB_URI = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** Every record of `topic`, read from the beginning with a fresh consumer group up to its end. */
async function readAll(kafka: Kafka, topic: string): Promise<RawRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const pending = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const records: RawRecord[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueId('erasure-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic} not read to its end`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          records.push({
            topic,
            partition,
            offset: Number(message.offset),
            timestamp: Number(message.timestamp),
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
          });
          if (Number(message.offset) + 1 >= (pending.get(partition) ?? 0)) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Erasure that erases (issue 23, finding 6): a person who signed up, filed a request, commented,
 * uploaded a file and was emailed is erased by an admin; then every database (raw documents of
 * every collection), every topic and the workflow's state and later history are searched for
 * their name and address.
 */
describe('erasure', () => {
  const suffix = randomBytes(4).toString('hex');
  const fullName = `Eulalie Vantard-${suffix}`;
  const email = `eulalie-${suffix}@enseigne.example`;
  /** What must not be found: the address, the full name, and its rarest part. */
  const needles = [email, fullName, `Vantard-${suffix}`].map((n) => n.toLowerCase());
  const found = (text: string | null) => text !== null && needles.some((n) => text.toLowerCase().includes(n));

  let kafka: Kafka;
  let identity: RunningIdentity;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let api: TicketsApi;
  let temporal: Connection;

  beforeAll(async () => {
    kafka = createKafka('erasure-test', [brokers], logger);
    // The users topic as a deployment made before it was compacted: the default delete policy.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: TOPICS.users.name, numPartitions: TOPICS.users.partitions }],
    });
    await admin.disconnect();
    await ensureTopics(kafka, ALL_TOPICS);
    identity = await startIdentity();
    notifications = await startNotifications({ NOTIFICATIONS_FROM_BEGINNING: 'true' });
    api = await startTicketsApi({ env: { TICKETS_USERS_FROM_BEGINNING: 'true' } });
    temporal = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await notifications?.stop();
    await identity?.stop();
    await temporal?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
  });

  const callIdentity = async (method: string, path: string, body?: unknown, as?: VerifiedIdentity) => {
    const res = await fetch(`${identity.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signRequest(
          { ...(as ? { identity: as } : {}), clientIp: '10.23.6.1' },
          identity.config.INTERNAL_AUTH_SECRET,
        ),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  it('brings an existing users topic to compaction, idempotently', async () => {
    expect(await ensureTopics(kafka, ALL_TOPICS)).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPICS.users.name }],
    });
    await admin.disconnect();
    const config = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(config).toMatchObject(USERS_TOPIC_CONFIG);
  });

  it('leaves neither name nor address in any database, topic or running workflow', async () => {
    // Signs up through identity; the link comes by email (a delivery row for the address).
    expect((await callIdentity('POST', '/signup', { email, locale: 'fr' })).status).toBe(202);
    const to = (e: CaughtEmail) => e.to.some((t) => t.address === email);
    const signupEmail = await waitForEmail(to, 30_000);
    const link = linksIn(signupEmail).find((l) => l.includes('token='))!;
    const token = new URL(link).searchParams.get('token')!;
    const done = await callIdentity('POST', '/signup/complete', {
      token,
      fullName,
      password: 'un cheval correct agrafe',
    });
    expect(done.status).toBe(201);
    // A mistyped password: identity counts failed logins per address (and client).
    expect((await callIdentity('POST', '/login', { email, password: 'pas le bon mot de passe' })).status).toBe(401);
    const facts = done.body.identity as { userId: string; organizationId: string };
    const eulalie = person(facts.userId, 'customer', { organizationId: facts.organizationId, name: fullName, email });
    const agent = person(uniqueId('paul'), 'agent', { teams: ['support'], name: 'Paul Agent' });
    const admin = person(uniqueId('ada'), 'admin', { name: 'Ada Admin' });
    await api.registerPeople([agent]);
    const people = () => api.svc.models.native().collection('people');
    await eventually(
      () => people().findOne({ _id: eulalie.userId as never }),
      (p) => p !== null,
      30_000,
    );

    // Files (her name in the text), is asked, answers, comments, uploads; is emailed.
    const filed = await api.call(eulalie, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Colis introuvable',
      description: `Bonjour, ici ${fullName}. Le colis CMD-77 est introuvable.`,
    });
    expect(filed.status).toBe(201);
    const reference = (filed.body.ticket as { reference: string }).reference;
    await waitForEmail((e) => to(e) && e.subject.startsWith(`[${reference}]`), 30_000);
    const act = async (who: VerifiedIdentity, action: string, payload: Record<string, unknown> = {}) => {
      const res = await api.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload });
      expect([action, res.status]).toEqual([action, 200]);
    };
    await act(agent, 'qualify', { priority: 'medium', billable: false, assignment: { agentId: agent.userId } });
    await act(agent, 'start');
    await act(agent, 'requestInformation', { question: 'Quel est le numéro de suivi ?' });
    await act(eulalie, 'provideInformation', { body: `Le suivi est 1Z999. ${fullName}` });
    await act(eulalie, 'comment', { body: 'Merci de votre aide.' });
    const uploaded = await api.send(
      eulalie,
      'POST',
      `/tickets/${reference}/attachments?filename=preuve.txt`,
      Buffer.from('preuve de depot\n'),
      { 'content-type': 'text/plain' },
    );
    expect(uploaded.status).toBe(201);
    // Answered, accepted and rated, her name in the rating's comment (satisfaction, CSAT).
    await act(agent, 'resolve', { answer: 'Le colis est au dépôt.' });
    await act(eulalie, 'acceptResolution');
    await act(eulalie, 'rate', { score: 5, comment: `Merci ! ${fullName}` });

    // The DPO's decision (here an admin's), through identity.
    expect((await callIdentity('POST', `/users/${eulalie.userId}/erase`, undefined, admin)).status).toBe(204);
    const erasedAt = Date.now();
    const client = new Client({ connection: temporal });
    const handle = client.workflow.getHandle(ticketWorkflowId(reference));
    await eventually(
      () => api.svc.workflows.view(reference),
      (v) => v.ticket.requester.name === ERASED_NAME,
      30_000,
    );
    await eventually(
      () => notifications.service.models.Recipient.findById(eulalie.userId).lean(),
      (r) => r?.status === 'erased' && r.email === undefined, // a tombstone: nothing personal
      30_000,
    );
    // A change after the erasure: its event and the agent's email carry the placeholder.
    await act(agent, 'reply', { body: 'Nous avons retrouvé le colis.' });
    await eventually(
      () => api.call(agent, 'GET', `/tickets/${reference}`),
      (r) => JSON.stringify(r.body).includes('Nous avons retrouvé le colis.'),
    );
    await new Promise((r) => setTimeout(r, 3_000)); // the events of the reply reach the topic and the emails

    // Every database, every collection, raw documents.
    const raw = await mongo.MongoClient.connect(MONGODB_URI);
    const inDatabases: string[] = [];
    try {
      for (const name of [identity.config.MONGODB_DB, api.config.MONGODB_DB, notifications.config.MONGODB_DB]) {
        const db = raw.db(name);
        for (const { name: collection } of await db.listCollections().toArray()) {
          for (const doc of await db.collection(collection).find({}).toArray()) {
            if (found(JSON.stringify(doc))) inDatabases.push(`${name}.${collection} ${String(doc._id)}`);
          }
        }
      }
    } finally {
      await raw.close();
    }
    expect(inDatabases).toEqual([]);

    // The running workflow's state, and its history from the erasure on.
    expect(found(JSON.stringify((await api.svc.workflows.view(reference)).ticket))).toBe(false);
    const history = await handle.fetchHistory();
    // Encrypted payloads (the payload codec) opened with the key they were written with, so the
    // search below reads what the workflow recorded, not ciphertext that names nobody.
    const events = await Promise.all((history.events ?? []).map((e) => decryptPayloads(e)));
    // Payloads' bytes as text (base64 in the fetched history; a Buffer as its toJSON form).
    const decoded = (e: unknown) =>
      JSON.stringify(e, (k, v: unknown) => {
        if (k === 'data' && typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8');
        if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
        const b = v as { type?: string; data?: number[] } | null;
        return b?.type === 'Buffer' && Array.isArray(b.data) ? Buffer.from(b.data).toString('utf8') : v;
      });
    const erasure = events.findIndex((e) => decoded(e).includes('erasePerson'));
    expect(erasure).toBeGreaterThan(0);
    // Before the erasure its history names her (what remains, encrypted at rest, until the
    // namespace's retention after the workflow closes): the search can find her.
    // (Search attributes stay plain JSON either way: the input's encoding tells.)
    expect(events.slice(0, erasure).some((e) => found(decoded(e)))).toBe(true);
    // From the erasure on, nothing names her.
    expect(
      events
        .slice(erasure)
        .filter((e) => found(decoded(e)))
        .map((e) => e.eventType),
    ).toEqual([]);

    // Every topic, from the beginning.
    const all = (await Promise.all(ALL_TOPICS.map((t) => readAll(kafka, t.name)))).flat();
    // Tickets: the events published after the erasure carry the placeholder only.
    const later = all.filter((r) => r.topic === TOPICS.tickets.name && r.timestamp >= erasedAt);
    expect(later.some((r) => r.value?.includes(`"${reference}:`))).toBe(true);
    expect(later.filter((r) => found(r.value)).map((r) => r.value)).toEqual([]);
    // Dead letters and organisations: nothing of hers.
    expect(
      all.filter((r) => r.topic !== TOPICS.users.name && r.topic !== TOPICS.tickets.name && found(r.value)),
    ).toEqual([]);
    // Users: every key that ever carried her data (her id, her address's sign-up key) ends in a
    // tombstone, and nothing after it names her; the earlier records go at the next compaction.
    const users = all.filter((r) => r.topic === TOPICS.users.name);
    const keys = new Set(users.filter((r) => r.key === eulalie.userId || found(r.value)).map((r) => r.key));
    expect(keys.has(eulalie.userId)).toBe(true);
    expect([...keys].some((k) => k?.includes(email))).toBe(false);
    expect(keys.size).toBeGreaterThanOrEqual(2); // the user id and the address's key
    for (const key of keys) {
      const ofKey = users.filter((r) => r.key === key);
      expect([key, ofKey[ofKey.length - 1]?.value]).toEqual([key, null]);
    }

    // The log cleaner, with short settings on this test's own topic: her records are dropped.
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: TOPICS.users.name,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.ms', value: '200' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            { name: 'max.compaction.lag.ms', value: '200' },
            { name: 'delete.retention.ms', value: '86400000' },
          ],
        },
      ],
    });
    await admin2.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const roll = async () => {
      // A record on every partition rolls the segment that holds hers (the active one is never cleaned).
      await producer.send({
        topic: TOPICS.users.name,
        messages: Array.from({ length: TOPICS.users.partitions }, (_, partition) => ({
          key: `roll-${partition}`,
          value: null,
          partition,
        })),
      });
    };
    try {
      await eventually(
        async () => {
          await roll();
          return (await readAll(kafka, TOPICS.users.name)).filter((r) => keys.has(r.key));
        },
        (left) => left.every((r) => r.value === null),
        120_000,
      );
    } finally {
      await producer.disconnect();
    }
  }, 300_000);
});

const payloadCodec = temporalPayloadCodecFromEnv();

/** A copy of a history event whose encrypted payloads are decrypted (plain ones kept as they are). */
async function decryptPayloads<T>(value: T): Promise<T> {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (await Promise.all(value.map((v) => decryptPayloads(v)))) as T;
  const o = value as Record<string, unknown>;
  if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') {
    const [plain] = await payloadCodec.decode([o]);
    return plain as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = await decryptPayloads(v);
  return out as T;
}
