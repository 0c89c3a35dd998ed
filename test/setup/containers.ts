import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

/**
 * TEST_INFRA=containers: the same four servers from official images, bound to the same host
 * ports as the local binaries so the tests and services need no other configuration. Written
 * for machines with a Docker engine; the project's own machines have none (see docs/development.md).
 */
// Kept on globalThis: Jest may load global setup and teardown as separate module instances.
const store = globalThis as { woopContainers?: StartedTestContainer[] };
const started: StartedTestContainer[] = (store.woopContainers ??= []);

const fixed = (port: number) => ({ container: port, host: port });

export async function startContainers(): Promise<void> {
  const temporal = new GenericContainer('temporalio/temporal:1.5.1')
    .withCommand([
      'server',
      'start-dev',
      '--ip',
      '0.0.0.0',
      '--ui-ip',
      '0.0.0.0',
      '--search-attribute',
      'TicketReference=Keyword',
      '--search-attribute',
      'TicketStatus=Keyword',
      '--search-attribute',
      'RequestType=Keyword',
      '--search-attribute',
      'OrganizationId=Keyword',
      '--search-attribute',
      'Assignee=Keyword',
      '--search-attribute',
      'AssignedTeam=Keyword',
      '--search-attribute',
      'Priority=Keyword',
      '--search-attribute',
      'SlaBreached=Bool',
    ])
    .withExposedPorts(fixed(7233), fixed(8233))
    .withWaitStrategy(Wait.forListeningPorts());
  const kafka = new GenericContainer('apache/kafka:4.1.1')
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:9092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withExposedPorts(fixed(9092))
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/));
  const ferretdb = new GenericContainer('ghcr.io/ferretdb/ferretdb:1.24.2')
    .withEnvironment({ FERRETDB_HANDLER: 'sqlite', FERRETDB_SQLITE_URL: 'file:/state/', FERRETDB_TELEMETRY: 'disable' })
    .withExposedPorts(fixed(27017))
    .withWaitStrategy(Wait.forListeningPorts());
  // MailDev 2's image serves the email API at the root (MailDev 3, used locally, under /api).
  const mail = new GenericContainer('maildev/maildev:2.2.1')
    .withExposedPorts(fixed(1025), fixed(1080))
    .withWaitStrategy(Wait.forListeningPorts());
  process.env.MAILCATCHER_API_URL = 'http://127.0.0.1:1080';
  for (const c of await Promise.all([temporal, kafka, ferretdb, mail].map((c) => c.start()))) started.push(c);
  const { ALL_TOPICS } = await import('@woop/contracts');
  const { createKafka, createLogger, ensureTopics } = await import('@woop/service-kit');
  await ensureTopics(createKafka('test-setup', ['127.0.0.1:9092'], createLogger('test-setup', 'warn')), ALL_TOPICS);
}

export async function stopContainers(): Promise<void> {
  await Promise.all(started.splice(0).map((c) => c.stop()));
}
