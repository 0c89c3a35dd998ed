import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { keyedDigest, type SealingKey, type VerifiedIdentity } from '@woop/service-kit';

/**
 * The notifications database: its copy of the people it writes to (from user.* events), their
 * per-ticket preferences and agents' on/off switch, the delivery log (one row per event and
 * recipient), and the emails waiting for a recipient the copy does not know yet.
 */
const recipientSchema = new Schema(
  {
    _id: { type: String, required: true },
    // Absent on an erased person's tombstone (status `erased`: nothing personal kept).
    email: { type: String },
    fullName: { type: String, default: '' },
    locale: { type: String, enum: ['fr', 'en'], default: 'fr' },
    active: { type: Boolean, default: true },
    // Role, teams and status find the agents of a team (who get the agents' emails).
    role: { type: String, enum: ['customer', 'agent', 'admin'], default: 'customer' },
    teams: { type: [String], default: [] },
    status: { type: String, enum: ['invited', 'active', 'deactivated', 'erased'] },
  },
  { versionKey: false, timestamps: true },
);
recipientSchema.index({ teams: 1 });
// The email channel asks whether a sender is a known active customer.
recipientSchema.index({ email: 1 });

/**
 * The email channel's answers to unknown senders ("how to create an account"): one row per
 * address and UTC day, claimed before the email, so an address gets one a day at most. The id
 * is a keyed digest of the address (`DeliveryKeys.digest`), never the address.
 */
const mailAnswerSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The mail.received event the day's answer was for (the same event may be redelivered). */
    eventId: { type: String, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

/**
 * An email waiting for its recipient (`consumers/awaiting.ts`): a ticket event named a person the copy did
 * not know yet (their user.* event, on another topic, not read yet). The id is the delivery log's (`DeliveryKeys.id`). The person's user.* event sends it (once: the delivery log) and removes the row;
 * their erasure removes it.
 */
const awaitingSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    /** The recipient key (`userId`, `agent:<userId>`): user ids only, never an address. */
    key: { type: String, required: true },
    template: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    /** The event, as JSON: planned again when the person is known. */
    event: { type: String, required: true },
    /** When it was also parked on the dead-letter topic (still waiting after the retry time). */
    deadLetteredAt: { type: Date },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
awaitingSchema.index({ userId: 1 });

const preferenceSchema = new Schema(
  {
    // `${userId}:${reference}` for a ticket; agentEmailsPreferenceId(userId) for the agents' emails (preferences.ts)
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    reference: { type: String },
    enabled: { type: Boolean, required: true },
  },
  { versionKey: false, timestamps: true },
);
preferenceSchema.index({ userId: 1 });

const deliverySchema = new Schema(
  {
    // `${eventId}|k:${keyedDigest of the recipient key}` (`deliveryId`); rows written before it
    // `${eventId}|${recipient key}`, the key in clear (an address, for account emails).
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    reference: { type: String },
    /**
     * Ticket emails: whether the ticket was confidential and the teams it was with (assigned,
     * escalated), for who may read the row. Absent on rows written before they were kept: those
     * count as confidential to nobody's team.
     */
    confidential: { type: Boolean },
    teams: { type: [String], default: undefined },
    recipientId: { type: String },
    address: { type: String, required: true },
    template: { type: String, required: true },
    status: { type: String, enum: ['claimed', 'sent', 'failed'], required: true },
    claimedBy: { type: String },
    claimedAt: { type: Date },
    attempts: { type: Number, default: 0 },
    messageId: { type: String },
    sentAt: { type: Date },
    error: { type: String },
  },
  { versionKey: false, timestamps: true },
);
deliverySchema.index({ eventId: 1 });
deliverySchema.index({ reference: 1, createdAt: -1 });
deliverySchema.index({ recipientId: 1 });
deliverySchema.index({ address: 1, createdAt: -1 });

/**
 * The delivery log rows `who` (an agent or an admin) may read: those of a ticket they may see.
 * A confidential ticket's rows (who its reporter and its team were emailed) go to admins, the
 * security team and the team it was with; rows of no ticket (account emails) to every agent.
 * A ticket row from before confidentiality was kept is read as a confidential one.
 */
export function visibleDeliveries(who: VerifiedIdentity): Record<string, unknown> {
  if (who.role === 'admin' || who.teams.includes('security')) return {};
  return {
    $or: [
      { reference: { $exists: false } },
      { confidential: false },
      { confidential: true, teams: { $in: who.teams } },
    ],
  };
}

/**
 * The delivery log's keys: a keyed digest (HMAC-SHA256 under a key derived from LINK_SEALING_KEY)
 * of the recipient key, so a row's id never carries an address, and nobody without the key can
 * find a guessed address among the ids. `previous` keys (a rotation) and the legacy id (the key
 * in clear) are looked up before a new row is claimed, so an event delivered again after an
 * upgrade or a rotation is not emailed twice.
 */
export class DeliveryKeys {
  constructor(
    private readonly key: SealingKey,
    private readonly previous: SealingKey[] = [],
  ) {}

  digest(recipientKey: string, key: SealingKey = this.key): string {
    return `k:${keyedDigest(key, 'delivery-log recipient', recipientKey)}`;
  }

  id(eventId: string, recipientKey: string): string {
    return `${eventId}|${this.digest(recipientKey)}`;
  }

  /** Ids the same email may have had: under previous keys, and the legacy one. */
  olderIds(eventId: string, recipientKey: string): string[] {
    return [...this.previous.map((k) => `${eventId}|${this.digest(recipientKey, k)}`), `${eventId}|${recipientKey}`];
  }

  /** Whether `recipient` (a dead letter's, a digest or a legacy key) names `recipientKey`. */
  names(recipient: string, recipientKey: string): boolean {
    return (
      recipient === recipientKey || [this.key, ...this.previous].some((k) => this.digest(recipientKey, k) === recipient)
    );
  }
}

export function notificationModels(db: Connection) {
  return {
    Recipient: db.model('Recipient', recipientSchema, 'recipients'),
    Preference: db.model('Preference', preferenceSchema, 'preferences'),
    Delivery: db.model('Delivery', deliverySchema, 'deliveries'),
    MailAnswer: db.model('MailAnswer', mailAnswerSchema, 'mail_answers'),
    Awaiting: db.model('Awaiting', awaitingSchema, 'awaiting_recipients'),
  };
}
export type NotificationModels = ReturnType<typeof notificationModels>;

export type RecipientRow = InferSchemaType<typeof recipientSchema>;
