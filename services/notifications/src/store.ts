import { Schema, type Connection } from 'mongoose';
import type { UserFacts } from '@woop/contracts';
import type { Recipient } from './recipients';

/**
 * The notifications database: its copy of the people it writes to (from user.* events), their
 * per-ticket preferences, and the delivery log (one row per event and recipient).
 */
const recipientSchema = new Schema(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    fullName: { type: String, default: '' },
    locale: { type: String, enum: ['fr', 'en'], default: 'fr' },
    active: { type: Boolean, default: true },
  },
  { versionKey: false, timestamps: true },
);

const preferenceSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}:${reference}`
    userId: { type: String, required: true },
    reference: { type: String, required: true },
    enabled: { type: Boolean, required: true },
  },
  { versionKey: false, timestamps: true },
);
preferenceSchema.index({ userId: 1 });

const deliverySchema = new Schema(
  {
    _id: { type: String, required: true }, // `${eventId}|${recipient key}`
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    reference: { type: String },
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

export function notificationModels(db: Connection) {
  return {
    Recipient: db.model('Recipient', recipientSchema, 'recipients'),
    Preference: db.model('Preference', preferenceSchema, 'preferences'),
    Delivery: db.model('Delivery', deliverySchema, 'deliveries'),
  };
}
export type NotificationModels = ReturnType<typeof notificationModels>;

/** Keeps the copy of users in step with identity's events; erasure removes what was personal. */
export async function applyUserEvent(models: NotificationModels, type: string, data: Record<string, unknown>) {
  if (type === 'user.erased') {
    const userId = String(data.userId);
    const known = await models.Recipient.findById(userId).lean();
    const mine = known ? { $or: [{ recipientId: userId }, { address: known.email }] } : { recipientId: userId };
    await models.Delivery.updateMany(mine, { $set: { address: 'erased@invalid', recipientId: userId } });
    await models.Recipient.deleteOne({ _id: userId });
    await models.Preference.deleteMany({ userId });
    return;
  }
  const user = data.user as UserFacts | undefined;
  if (!user) return;
  await models.Recipient.updateOne(
    { _id: user.userId },
    {
      $set: {
        email: user.email,
        fullName: user.fullName,
        locale: user.locale,
        active: user.status === 'active' || user.status === 'invited',
      },
    },
    { upsert: true },
  );
}

export async function findRecipient(models: NotificationModels, userId: string): Promise<Recipient | undefined> {
  const r = await models.Recipient.findById(userId).lean();
  return r ? { userId: r._id, email: r.email, fullName: r.fullName, locale: r.locale, active: r.active } : undefined;
}
