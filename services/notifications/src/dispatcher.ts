import { createHash, randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import type { EventPublisher, Logger, SmtpHandle } from '@woop/service-kit';
import { eventAttributes, eventContext, isDuplicateKey, woopTracer } from '@woop/service-kit';
import type { PlannedEmail } from './recipients';
import type { NotificationModels } from './store';
import type { Renderer } from './templates';

export interface DispatchOptions {
  from: string;
  /** Tries per email before it goes to the dead-letter topic. */
  maxAttempts: number;
  /** First wait between tries; doubled each time, capped at 30 s. */
  backoffMs: number;
  /** How long a claim protects a send in progress before another copy may take it over. */
  claimLeaseMs: number;
}

/** Message-ID derived from event and recipient: a duplicate from the one open window is recognisable. */
export const messageIdFor = (eventId: string, key: string): string =>
  `<${createHash('sha256').update(`${eventId}|${key}`).digest('hex').slice(0, 32)}@notifications.woop-support>`;

type Claim = 'claimed' | 'already-sent' | 'in-progress';

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
        address: email.address,
        template: email.template,
        status: 'claimed',
        claimedBy: this.instance,
        claimedAt: now,
      });
      return 'claimed';
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
    if (taken) return 'claimed';
    const row = await this.models.Delivery.findById(id).lean();
    return row?.status === 'sent' ? 'already-sent' : 'in-progress';
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
      const id = `${event.id}|${email.key}`;
      const claim = await this.claim(id, event, email);
      if (claim !== 'claimed') {
        this.logger.debug({ eventId: event.id, recipient: email.key, claim }, 'email skipped');
        continue;
      }
      const emailAttributes = { 'email.template': email.template, 'email.locale': email.locale };
      const rendered = woopTracer().startActiveSpan('email.render', { attributes: emailAttributes }, (span) => {
        try {
          return this.renderer.render(email.template, email.locale, email.data, email.subjectKey);
        } catch (err) {
          failed(span, err);
          throw err;
        } finally {
          span.end();
        }
      });
      const messageId = messageIdFor(event.id, email.key);
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
              headers: { 'X-Woop-Event-Id': event.id, 'X-Woop-Event-Type': event.type },
            }),
          );
          sendSpan.setAttribute('email.status', 'sent');
          await this.models.Delivery.updateOne(
            { _id: id },
            { $set: { status: 'sent', sentAt: new Date(), messageId, attempts: attempt }, $unset: { error: 1 } },
          );
          lastError = undefined;
          break;
        } catch (err) {
          lastError = err;
          await this.models.Delivery.updateOne({ _id: id }, { $set: { attempts: attempt, error: errorText(err) } });
          if (attempt === this.opts.maxAttempts) break;
          const wait = Math.min(30_000, this.opts.backoffMs * 2 ** (attempt - 1));
          this.logger.warn({ err, eventId: event.id, attempt, retryInMs: wait }, 'SMTP send failed; retrying');
          const until = Date.now() + wait;
          while (Date.now() < until) {
            await new Promise((r) => setTimeout(r, Math.min(1_000, until - Date.now())));
            await heartbeat();
          }
        }
      }
      if (lastError !== undefined) {
        sendSpan.setAttribute('email.status', 'dead-lettered');
        failed(sendSpan, lastError);
      }
      sendSpan.end();
      if (lastError !== undefined) {
        // Not dropped: recorded as failed and parked on the dead-letter topic for a replay.
        await this.models.Delivery.updateOne({ _id: id }, { $set: { status: 'failed' } });
        await this.deadLetters.publish(TOPICS.notificationsDeadLetter.name, [
          { ...event, data: { ...event.data, deadLetter: { recipient: email.key, error: errorText(lastError) } } },
        ]);
        this.logger.error({ err: lastError, eventId: event.id }, 'email parked on the dead-letter topic');
      }
    }
  }
}
