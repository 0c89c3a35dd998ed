import type { TicketState } from '@woop/contracts';
import { createLogger, replyAddress, replyToken, type VerifiedIdentity } from '@woop/service-kit';
import { loadInboundConfig } from '../../services/inbound/src/config';
import { inboundService } from '../../services/inbound/src/service';
import { uniqueId } from '../support/ids';
import { composeMail, replyKey, SUPPORT, testMailbox } from '../support/imap-harness';
import { person } from '../support/people';
import { startTicketsApi } from '../support/tickets-api-harness';

/**
 * The closing note's figure for issue 20: how long an emailed reply takes to become a comment the
 * read model serves (append to the support mailbox on Dovecot → reader → Kafka → tickets →
 * Temporal update → projection), one reply at a time and during a burst of replies, on the real
 * servers. A measurement, not a gate: it prints p50/p99 and runs only when asked:
 *   MAIL_LAG=1 npx jest --selectProjects integration --runTestsByPath test/integration/mail-lag.test.ts
 * (MAIL_LAG_ONE, 20 replies one at a time; MAIL_LAG_BURST, 200 replies on 20 requests).
 */
const ONE = Number(process.env.MAIL_LAG_ONE ?? 20);
const BURST = Number(process.env.MAIL_LAG_BURST ?? 200);
const REQUESTS = 20;
const logger = createLogger('test', 'silent');
const say = (line: string) => process.stderr.write(`[mail lag] ${line}\n`);
const measure = process.env.MAIL_LAG === '1' ? it : it.skip;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

measure(
  `an emailed reply becomes a comment: ${ONE} one at a time, then ${BURST} at once`,
  async () => {
    const api = await startTicketsApi();
    // One sender writes them all: their hourly rate (20 by default, then Held) is lifted here.
    const mailbox = await testMailbox({ ratePerHour: 100_000 });
    const inbound = inboundService(loadInboundConfig(process.env), logger, mailbox.settings);
    try {
      const id = uniqueId('claire');
      const claire: VerifiedIdentity = person(id, 'customer', {
        organizationId: uniqueId('org'),
        name: 'Claire Durand',
        email: `${id}@mail.example`,
      });
      await api.registerPeople([claire]);
      const references: string[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const res = await api.call(claire, 'POST', '/tickets', {
          requestType: 'ask-a-question',
          portal: 'retailer',
          summary: `Facture ${i}`,
          description: 'Je ne trouve pas la facture.',
        });
        references.push((res.body.ticket as { reference: string }).reference);
      }
      const reply = (reference: string, words: string) =>
        composeMail({
          from: claire.email,
          to: replyAddress(SUPPORT, replyToken(replyKey, reference, claire.userId)),
          subject: `Re: [${reference}] Votre demande`,
          text: `${words}\n\nLe lun. 7 déc. 2026 à 10:02, Support Woop a écrit :\n> ## Répondez au-dessus de cette ligne ##\n> Bonjour\n`,
        });
      /** Comments of the run seen in the read model, by their words, with the time first seen. */
      const seen = new Map<string, number>();
      const look = async (only?: Set<string>) => {
        for (const reference of only ?? references) {
          const ticket = (await api.call(claire, 'GET', `/tickets/${reference}`)).body.ticket as TicketState;
          for (const e of ticket.activity) if (e.body && !seen.has(e.body)) seen.set(e.body, Date.now());
        }
      };
      const waitFor = async (words: string[], refs: Set<string>, timeoutMs: number) => {
        const deadline = Date.now() + timeoutMs;
        while (words.some((w) => !seen.has(w))) {
          if (Date.now() > deadline)
            throw new Error(`${words.filter((w) => !seen.has(w)).length} replies never landed`);
          await look(refs);
          await new Promise((r) => setTimeout(r, 25));
        }
      };

      const one: number[] = [];
      for (let i = 0; i < ONE; i++) {
        const reference = references[i % REQUESTS]!;
        const words = `Réponse ${i} ${uniqueId('w')}`;
        const raw = await reply(reference, words);
        const sent = Date.now();
        await mailbox.appendMail(raw);
        await waitFor([words], new Set([reference]), 60_000);
        one.push(seen.get(words)! - sent);
      }
      say(`one at a time (${ONE}): p50 ${quantile(one, 0.5)} ms, p99 ${quantile(one, 0.99)} ms`);

      const burst = await Promise.all(
        Array.from({ length: BURST }, async (_, i) => {
          const words = `Rafale ${i} ${uniqueId('w')}`;
          return { words, raw: await reply(references[i % REQUESTS]!, words) };
        }),
      );
      const appended = new Map<string, number>();
      const started = Date.now();
      for (const { words, raw } of burst) {
        await mailbox.appendMail(raw);
        appended.set(words, Date.now());
      }
      const appendMs = Date.now() - started;
      await waitFor(
        burst.map((b) => b.words),
        new Set(references),
        10 * 60_000,
      );
      const lags = burst.map((b) => seen.get(b.words)! - appended.get(b.words)!);
      const total = Math.max(...burst.map((b) => seen.get(b.words)!)) - started;
      say(
        `burst of ${BURST} on ${REQUESTS} requests (appended in ${appendMs} ms): p50 ${quantile(lags, 0.5)} ms, ` +
          `p99 ${quantile(lags, 0.99)} ms, all landed in ${total} ms (${((BURST * 1000) / total).toFixed(1)} replies/s)`,
      );
      const counts = await mailbox.counts();
      expect(counts).toMatchObject({ inbox: 0, refused: 0, held: 0, processed: ONE + BURST });
    } finally {
      for (const c of inbound.parts.closeables) await c.close();
      await mailbox.close();
      await api.stop();
    }
  },
  15 * 60_000,
);
