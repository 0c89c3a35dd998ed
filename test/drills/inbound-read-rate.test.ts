import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@woop/contracts';
import {
  createEventPublisher,
  createKafka,
  createLogger,
  ensureTopics,
  replyAddress,
  replyToken,
} from '@woop/service-kit';
import { MailboxReader } from '../../services/inbound/src/mailbox/reader';
import { composeMail, imapClient, replyKey, SUPPORT } from '../support/imap-harness';
import { freePort, ROOT } from '../support/processes';

/**
 * The closing note's figure: messages read per second by the inbound reader (fetch, parse,
 * classify, strip, publish on Kafka, move to Processed, in batches of 25) beside a bare imapflow
 * fetch of the same messages' sources, in the same run, on a private Dovecot and the tests'
 * Kafka (it must run). A measurement, not a gate: it prints the figures, and runs only when asked:
 * `INBOUND_READ_RATE=1 npx jest --config test/drills/jest.config.js test/drills/inbound-read-rate.test.ts`
 * (BENCH_MESSAGES, 500 by default).
 */
const N = Number(process.env.BENCH_MESSAGES ?? 500);
const say = (line: string) => process.stderr.write(`[inbound read rate] ${line}\n`);

const measure = process.env.INBOUND_READ_RATE === '1' ? it : it.skip;

measure(
  `reads ${N} replies: the reader beside a bare imapflow fetch`,
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'woop-imap-bench-'));
    const env = { ...process.env, WOOP_DATA_DIR: dataDir, IMAP_PORT: String(await freePort()) };
    const script = (action: string) =>
      execFileSync('bash', [join(ROOT, 'deploy/local/imap.sh'), action], { env, stdio: 'pipe' });
    const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
    const logger = createLogger('bench', 'warn');
    const kafka = createKafka('inbound-bench', brokers, logger);
    const publisher = createEventPublisher(kafka);
    script('start');
    const server = {
      host: '127.0.0.1',
      port: Number(env.IMAP_PORT),
      user: SUPPORT,
      password: 'woop-local-imap-password',
    };
    try {
      await ensureTopics(kafka, [TOPICS.mail]);
      const client = await imapClient(server);
      for (let i = 0; i < N; i++) {
        await client.append(
          'INBOX',
          await composeMail({
            from: `customer${i % 50}@enseigne.example`,
            to: replyAddress(SUPPORT, replyToken(replyKey, `SUPPORT-${1000 + i}`, `user-${i % 50}`)),
            subject: `Re: [SUPPORT-${1000 + i}] Informations demandées`,
            text: `Bonjour,\n\nVoici le numéro de facture : FA-2026-${i}.\n\nCordialement,\nClaire\n\nLe lun. 7 déc. 2026 à 10:02, Support Woop <support@woop.example> a écrit :\n> ## Répondez au-dessus de cette ligne ##\n> ${'Pouvez-vous préciser le numéro de facture ? '.repeat(20)}\n`,
            html: `<p>Bonjour,</p><p>Voici le numéro de facture : FA-2026-${i}.</p><blockquote>${'Pouvez-vous préciser ? '.repeat(20)}</blockquote>`,
          }),
        );
      }
      // Bare: the same messages' sources, one FETCH of the whole inbox, nothing done with them.
      await client.mailboxOpen('INBOX');
      let bytes = 0;
      let fetched = 0;
      const bareStart = performance.now();
      for await (const m of client.fetch('1:*', { uid: true, source: true })) {
        bytes += m.source?.length ?? 0;
        fetched++;
      }
      const bareMs = performance.now() - bareStart;
      expect(fetched).toBe(N);
      // The reader: every message published on Kafka and moved to Processed.
      const reader = new MailboxReader(
        {
          ...server,
          tls: 'false',
          mailbox: 'INBOX',
          folders: { processed: 'Processed', refused: 'Refused', held: 'Held' },
          pollMs: 30_000,
          reconnectMaxMs: 2_000,
          ratePerHour: 1_000_000,
          supportAddress: SUPPORT,
          keys: [replyKey],
        },
        publisher,
        logger,
      );
      await publisher.publish(TOPICS.mail.name, []); // nothing: the producer connects on first use below
      const readerStart = performance.now();
      reader.start();
      for (;;) {
        const s = await client.status('Processed', { messages: true });
        if (s && s.messages === N) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const readerMs = performance.now() - readerStart;
      // One at a time: from APPEND to the message published and in Processed (the reader in IDLE).
      const lags: number[] = [];
      for (let i = 0; i < 30; i++) {
        const raw = await composeMail({
          from: `single${i}@enseigne.example`,
          to: SUPPORT,
          subject: `single ${i}`,
          text: 'Bonjour.',
        });
        const t = performance.now();
        await client.append('INBOX', raw);
        for (;;) {
          const s = await client.status('Processed', { messages: true });
          if (s && s.messages === N + i + 1) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        lags.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 300));
      }
      await reader.close();
      lags.sort((a, b) => a - b);
      const pct = (q: number) => lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)]!.toFixed(0);
      await client.logout();
      const bareRate = N / (bareMs / 1000);
      const readerRate = N / (readerMs / 1000);
      say(`${N} messages, ${(bytes / N / 1024).toFixed(1)} KiB each on average`);
      say(`bare imapflow fetch (one FETCH 1:* BODY[]): ${bareMs.toFixed(0)} ms, ${bareRate.toFixed(0)} messages/s`);
      say(
        `inbound reader (fetch, parse, classify, strip, publish, move; batches of 25): ${readerMs.toFixed(0)} ms, ${readerRate.toFixed(0)} messages/s`,
      );
      say(
        `one at a time, APPEND → published and moved: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms (${lags.length} messages)`,
      );
      say(
        `ratio reader / bare: ${(readerRate / bareRate).toFixed(3)} (bare is ${(bareRate / readerRate).toFixed(1)}× faster)`,
      );
    } finally {
      await publisher.close();
      script('stop');
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  600_000,
);
