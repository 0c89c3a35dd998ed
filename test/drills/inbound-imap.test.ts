import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@woop/contracts';
import { createKafka, createLogger, ensureTopics, replyAddress, replyToken } from '@woop/service-kit';
import { eventually } from '../support/eventually';
import { uniqueId } from '../support/ids';
import { collectMail, composeMail, imapClient, replyKey, SUPPORT } from '../support/imap-harness';
import { freePort, ROOT, spawnNode, waitForStatus, type Spawned } from '../support/processes';
import { portOpen } from '../setup/servers';

/**
 * Issue 20's drill: the IMAP server stopped 30 s while replies arrive, and the reader killed
 * (SIGKILL) mid-burst → every message published, none lost, none doubled (one event id per
 * message; a message re-read after a crash is published again under the same id, which
 * consumers take once). On a private Dovecot (deploy/local/imap.sh in a data directory of its
 * own, on a free port) and the inbound service as its own process; Kafka is the one the tests
 * use (KAFKA_BROKERS), or a private one when none answers. The rest of the system (tickets,
 * which consumes the events) is not needed for what this drill proves.
 */
const OUTAGE_MS = Number(process.env.DRILL_OUTAGE_MS ?? 30_000);
const say = (line: string) => process.stderr.write(`[inbound drill] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('inbound drill: the mailbox away 30 s, the reader killed → none lost, none doubled', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'woop-imap-'));
  const run = uniqueId('drill');
  let env: Record<string, string>;
  let brokers: string;
  let privateKafka = false;
  let service: Spawned | undefined;
  let serviceUrl: string;
  const script = (name: string, action: string) =>
    execFileSync('bash', [join(ROOT, 'deploy/local', `${name}.sh`), action], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });

  beforeAll(async () => {
    env = { WOOP_DATA_DIR: dataDir, IMAP_PORT: String(await freePort()) };
    brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
    const [host, port] = brokers.split(',')[0]!.split(':');
    if (!(await portOpen(host!, Number(port)))) {
      privateKafka = true;
      env.KAFKA_PORT = String(await freePort());
      env.KAFKA_CONTROLLER_PORT = String(await freePort());
      brokers = `127.0.0.1:${env.KAFKA_PORT}`;
      script('kafka', 'start');
    }
    script('imap', 'start');
    await ensureTopics(createKafka('inbound-drill-topics', [brokers], createLogger('drill', 'silent')), [TOPICS.mail]);
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    script('imap', 'stop');
    if (privateKafka) script('kafka', 'stop');
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  const startService = async () => {
    const port = await freePort();
    serviceUrl = `http://127.0.0.1:${port}`;
    service = spawnNode('services/inbound/dist/main.js', [], {
      ...env,
      INBOUND_PORT: String(port),
      KAFKA_BROKERS: brokers,
      INBOUND_RECONNECT_MAX_MS: '5000',
      INBOUND_RATE_PER_HOUR: '1000',
      OTEL_TRACES_EXPORTER: 'none',
      LOG_LEVEL: 'info',
    });
    await waitForStatus(`${serviceUrl}/readyz`, 200, 60_000);
  };

  it('publishes every reply once across an IMAP outage and a killed reader', async () => {
    const kafka = createKafka('inbound-drill', [brokers], createLogger('drill', 'silent'));
    const collector = await collectMail(kafka, TOPICS.mail.name, (m) => m.subject.includes(run));
    const imap = {
      host: '127.0.0.1',
      port: Number(env.IMAP_PORT),
      user: SUPPORT,
      password: 'woop-local-imap-password',
    };
    const subjects: string[] = [];
    const append = async (n: number) => {
      const client = await imapClient(imap);
      for (let i = 0; i < n; i++) {
        const subject = `Re: [SUPPORT-${100 + subjects.length}] ${run} #${subjects.length}`;
        const token = replyToken(replyKey, `SUPPORT-${100 + subjects.length}`, `user-${subjects.length}`);
        subjects.push(subject);
        await client.append(
          'INBOX',
          await composeMail({
            from: `customer${subjects.length % 7}@enseigne.example`,
            to: replyAddress(SUPPORT, token),
            subject,
            text: `Réponse ${subjects.length}\n\nLe lun. 7 déc. 2026 à 10:00, Support <support@woop.example> a écrit :\n> ## Répondez au-dessus de cette ligne ##\n`,
          }),
        );
      }
      await client.logout();
    };
    const counts = async () => {
      const client = await imapClient(imap);
      const n = async (f: string) => {
        const s = await client.status(f, { messages: true });
        return s ? (s.messages ?? 0) : 0;
      };
      const c = { inbox: await n('INBOX'), processed: await n('Processed') };
      await client.logout();
      return c;
    };
    try {
      await startService();
      // Replies arrive; the IMAP server stops while the reader is at them.
      // No pause: the reader is still at the burst when the server goes.
      await append(40);
      say(`IMAP server stopped with ${JSON.stringify(await counts())}`);
      script('imap', 'stop');
      const stoppedAt = Date.now();
      await waitForStatus(`${serviceUrl}/readyz`, 503, 20_000);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
      script('imap', 'start');
      say(`IMAP server back after ${Date.now() - stoppedAt} ms`);
      await append(40);
      await waitForStatus(`${serviceUrl}/readyz`, 200, 30_000);
      // The reader killed (SIGKILL: no drain) while replies arrive, then started again.
      await append(40);
      await eventually(
        async () => new Set(collector.events.map((e) => e.id)).size,
        (n) => n >= 85,
        60_000,
      );
      service!.child.kill('SIGKILL');
      await service!.stop();
      say(`reader killed with ${JSON.stringify(await counts())}`);
      await startService();
      const final = await eventually(counts, (c) => c.inbox === 0 && c.processed === subjects.length, 120_000);
      await sleep(2_000);
      const bySubject = new Map<string, Set<string>>();
      for (const e of collector.events)
        bySubject.set(e.data.subject, (bySubject.get(e.data.subject) ?? new Set()).add(e.id));
      const lost = subjects.filter((s) => !bySubject.has(s));
      const doubled = [...bySubject.values()].filter((ids) => ids.size > 1).length;
      const republished = collector.events.length - bySubject.size;
      say(
        `messages ${subjects.length} | published ${bySubject.size} | lost ${lost.length} | doubled (two ids) ${doubled} | republished (same id) ${republished} | mailbox ${JSON.stringify(final)}`,
      );
      expect(lost).toEqual([]);
      expect(doubled).toBe(0);
      expect(bySubject.size).toBe(subjects.length);
    } catch (err) {
      say(`service output:\n${service?.output().slice(-4000)}`);
      throw err;
    } finally {
      await collector.stop();
    }
  }, 600_000);
});
