import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import type { EventPublisher, Logger, SmtpHandle } from '@woop/service-kit';
import { counter, eventAttributes, eventContext, isDuplicateKey, woopTracer } from '@woop/service-kit';
import type { PlannedEmail } from '../emails/plan';
import type { DeliveryKeys, NotificationModels } from '../../model/store';
import { messageIdFor, replyHeadersOf, type ReplySettings } from './headers';
import type { Renderer } from './templates';

export interface DispatchOptions {
  from: string;
  /** Tries per email before it goes to the dead-letter topic. */
  maxAttempts: number;
  /** First wait between tries; doubled each time, capped at 30 s. */
  backoffMs: number;
  /** How long a claim protects a send in progress before another copy may take it over. */
  claimLeaseMs: number;
  /** The delivery log's ids and the dead letters' recipients: keyed digests, never an address. */
  keys: DeliveryKeys;
  /** Reply tokens of the emails about a request: MAIL_REPLY_KEY and the support mailbox. */
  reply: ReplySettings;
}

// Emails by template: sent (SMTP accepted it), each failed try, and those parked after the last try.
const emailsSent = counter('woop_emails_sent_total', 'Emails the SMTP server accepted', ['template']);
const emailSendFailures = counter('woop_email_send_failures_total', 'SMTP sends that failed (each try)', ['template']);
const emailsDeadLettered = counter(
  'woop_emails_dead_lettered_total',
  'Emails given up after the last try and parked on the dead-letter topic',
  ['template'],
);

type Claim = { state: 'claimed' } | { state: 'already-sent' } | { state: 'in-progress'; leaseEndsAt: number };

const errorText = (err: unknown): string => (err instanceof Error ? err.message : JSON.stringify(err));

/** Marks a span failed with the error's kind only: an SMTP answer may quote the address. */
function failed(span: Span, err: unknown): void {
  const kind = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'error';
  span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
}

/**
 * One email per event and recipient, whatever the redeliveries and however many copies run:
 * a row keyed by both is claimed (inserted) before the send and completed after it. Death
 * between the SMTP server's acceptance and the completion is the one window left: the next
 * copy sends again, with the same Message-ID.
 */
export class Dispatcher {
  private readonly instance = randomUUID();

  constructor(
    private readonly models: NotificationModels,
    private readonly smtp: SmtpHandle['transport'],
    private readonly renderer: Renderer,
    private readonly deadLetters: EventPublisher,
    private readonly logger: Logger,
    private readonly opts: DispatchOptions,
  ) {}

  /**
   * The row of this email: the one an older id already names (a legacy id with the key in clear,
   * or one under a previous key), so an event delivered again after an upgrade is not sent twice;
   * otherwise the keyed digest's.
   */
  private async rowId(eventId: string, recipientKey: string): Promise<string> {
    const id = this.opts.keys.id(eventId, recipientKey);
    if (await this.models.Delivery.exists({ _id: id })) return id;
    const older = await this.models.Delivery.findOne(
      { _id: { $in: this.opts.keys.olderIds(eventId, recipientKey) } },
      { _id: 1 },
    ).lean();
    return older?._id ?? id;
  }

  private async claim(id: string, event: EventEnvelope, email: PlannedEmail): Promise<Claim> {
    const now = new Date();
    try {
      await this.models.Delivery.create({
        _id: id,
        eventId: event.id,
        eventType: event.type,
        ...(typeof (event.data.ticket as { reference?: string })?.reference === 'string'
          ? { reference: (event.data.ticket as { reference: string }).reference }
          : {}),
        ...(email.recipientId ? { recipientId: email.recipientId } : {}),
        ...(email.access ?? {}),
        address: email.address,
        template: email.template,
        status: 'claimed',
        claimedBy: this.instance,
        claimedAt: now,
      });
      return { state: 'claimed' };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // A claim older than the lease belongs to a copy that died (or a failed send retried).
    const taken = await this.models.Delivery.findOneAndUpdate(
      {
        _id: id,
        $or: [
          { status: 'failed' },
          { status: 'claimed', claimedAt: { $lt: new Date(now.getTime() - this.opts.claimLeaseMs) } },
        ],
      },
      { $set: { status: 'claimed', claimedBy: this.instance, claimedAt: now } },
    );
    if (taken) return { state: 'claimed' };
    const row = await this.models.Delivery.findById(id).lean();
    if (row?.status === 'sent') return { state: 'already-sent' };
    const claimedAt = row?.claimedAt ? new Date(row.claimedAt).getTime() : now.getTime();
    return { state: 'in-progress', leaseEndsAt: claimedAt + this.opts.claimLeaseMs };
  }

  /**
   * Claims the email, or waits while another copy holds a live claim: until that copy marks it
   * sent, or its lease runs out (it died: the claim is taken over). Skipping it instead would let
   * the consumer commit the offset and lose the email for good when the holder had died.
   */
  private async claimOrWait(
    id: string,
    event: EventEnvelope,
    email: PlannedEmail,
    heartbeat: () => Promise<void>,
  ): Promise<'claimed' | 'already-sent'> {
    let waiting = false;
    for (;;) {
      const claim = await this.claim(id, event, email);
      if (claim.state !== 'in-progress') return claim.state;
      if (!waiting) {
        waiting = true;
        this.logger.info(
          { eventId: event.id, template: email.template, leaseEndsInMs: claim.leaseEndsAt - Date.now() },
          'email claimed by another copy; waiting until it is sent or its claim lapses',
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(50, Math.min(1_000, claim.leaseEndsAt - Date.now() + 10))));
      await heartbeat();
    }
  }

  /** Not dropped: recorded as failed and parked on the dead-letter topic for a replay. */
  private async park(id: string, event: EventEnvelope, email: PlannedEmail, err: unknown, why: string) {
    await this.models.Delivery.updateOne({ _id: id }, { $set: { status: 'failed', error: errorText(err) } });
    await this.deadLetter(event, email, err);
    this.logger.error(
      { err, eventId: event.id, template: email.template },
      `${why}: email parked on the dead-letter topic`,
    );
  }

  /**
   * Parks one recipient's email of `event` on the dead-letter topic (its recipient a keyed
   * digest): `npm run notifications:retry` plans and sends it again, for them only.
   */
  async deadLetter(event: EventEnvelope, email: { key: string; template: string }, err: unknown) {
    await this.deadLetters.publish(TOPICS.notificationsDeadLetter.name, [
      {
        ...event,
        data: { ...event.data, deadLetter: { recipient: this.opts.keys.digest(email.key), error: errorText(err) } },
      },
    ]);
    emailsDeadLettered.inc({ template: email.template });
  }

  /**
   * Sends what `plan` says, each email once; `heartbeat` keeps the consumer alive during waits.
   * Traced as the consumer side of the event's trace (the context its message came with):
   * `notify <type>`, with an `email.render` and an `email.send` per email. Spans name the
   * ticket, the event and the template, never the recipient.
   */
  async dispatch(event: EventEnvelope, plan: PlannedEmail[], heartbeat: () => Promise<void> = async () => {}) {
    const parent = eventContext(event);
    const attributes = { ...eventAttributes(event), 'notification.emails': plan.length };
    return woopTracer().startActiveSpan(
      `notify ${event.type}`,
      { kind: SpanKind.CONSUMER, attributes },
      parent,
      async (span) => {
        try {
          await this.dispatchAll(event, plan, heartbeat);
        } catch (err) {
          failed(span, err);
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  private async dispatchAll(event: EventEnvelope, plan: PlannedEmail[], heartbeat: () => Promise<void>) {
    for (const email of plan) {
      const id = await this.rowId(event.id, email.key);
      // Rendered before the claim: a template that throws is a failure of its own (parked once,
      // with its error), never a claim left behind by an exception.
      const emailAttributes = { 'email.template': email.template, 'email.locale': email.locale };
      let renderError: unknown;
      const rendered = woopTracer().startActiveSpan(
        'email.render',
        { attributes: emailAttributes },
        (span): ReturnType<Renderer['render']> | undefined => {
          try {
            return this.renderer.render(email.template, email.locale, email.data, email.subjectKey);
          } catch (err) {
            renderError = err ?? new Error('rendering failed');
            failed(span, err);
            return undefined;
          } finally {
            span.end();
          }
        },
      );
      const claim = await this.claimOrWait(id, event, email, heartbeat);
      if (claim === 'already-sent') {
        this.logger.debug({ eventId: event.id, template: email.template }, 'email already sent');
        continue;
      }
      if (!rendered) {
        await this.park(id, event, email, renderError, 'the email could not be rendered');
        continue;
      }
      const replying = replyHeadersOf(email, this.opts.reply);
      const messageId = messageIdFor(event.id, email.key, replying?.token);
      const sendSpan = woopTracer().startSpan('email.send', { kind: SpanKind.CLIENT, attributes: emailAttributes });
      const sending = trace.setSpan(context.active(), sendSpan);
      let lastError: unknown;
      for (let attempt = 1; attempt <= this.opts.maxAttempts; attempt++) {
        try {
          sendSpan.setAttribute('email.attempts', attempt);
          await context.with(sending, () =>
            this.smtp.sendMail({
              from: this.opts.from,
              to: email.address,
              subject: rendered.subject,
              html: rendered.html,
              text: rendered.text,
              messageId,
              ...(replying ? { replyTo: replying.replyTo } : {}),
              headers: { 'X-Woop-Event-Id': event.id, 'X-Woop-Event-Type': event.type },
            }),
          );
          sendSpan.setAttribute('email.status', 'sent');
          await this.models.Delivery.updateOne(
            { _id: id },
            { $set: { status: 'sent', sentAt: new Date(), messageId, attempts: attempt }, $unset: { error: 1 } },
          );
          emailsSent.inc({ template: email.template });
          lastError = undefined;
          break;
        } catch (err) {
          lastError = err;
          emailSendFailures.inc({ template: email.template });
          await this.models.Delivery.updateOne({ _id: id }, { $set: { attempts: attempt, error: errorText(err) } });
          if (attempt === this.opts.maxAttempts) break;
          const wait = Math.min(30_000, this.opts.backoffMs * 2 ** (attempt - 1));
          this.logger.warn({ err, eventId: event.id, attempt, retryInMs: wait }, 'SMTP send failed; retrying');
          const until = Date.now() + wait;
          while (Date.now() < until) {
            await new Promise((r) => setTimeout(r, Math.min(1_000, until - Date.now())));
            await heartbeat();
            // Still alive: the claim is renewed, so a long backoff is not taken for a dead copy.
            await this.models.Delivery.updateOne(
              { _id: id, claimedBy: this.instance, status: 'claimed' },
              { $set: { claimedAt: new Date() } },
            );
          }
        }
      }
      if (lastError !== undefined) {
        sendSpan.setAttribute('email.status', 'dead-lettered');
        failed(sendSpan, lastError);
      }
      sendSpan.end();
      if (lastError !== undefined) await this.park(id, event, email, lastError, 'SMTP kept failing');
    }
  }
}
