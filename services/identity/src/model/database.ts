import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The identity database. Every write that others must hear about pushes its event into the
 * written document's `outbox` (see service-kit/outbox). FerretDB has no TTL indexes: expired
 * tokens and sessions are refused on read and swept by `sweepExpired`.
 */
const outbox = { type: [Schema.Types.Mixed], default: [] };

const organizationSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, enum: ['retailer', 'carrier'], required: true },
    /** Addresses at these domains may sign up as members. */
    emailDomains: { type: [String], default: [] },
    outbox,
  },
  { timestamps: true, versionKey: false },
);
organizationSchema.index({ name: 1 }, { unique: true });
organizationSchema.index({ emailDomains: 1 });

const userSchema = new Schema(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, lowercase: true, trim: true },
    fullName: { type: String, default: '' },
    passwordHash: { type: String },
    role: { type: String, enum: ['customer', 'agent', 'admin'], required: true },
    organizationId: { type: String },
    orgAdmin: { type: Boolean, default: false },
    teams: { type: [String], default: [] },
    locale: { type: String, enum: ['fr', 'en'], default: 'fr' },
    status: { type: String, enum: ['invited', 'active', 'deactivated', 'erased'], required: true },
    outbox,
  },
  { timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ organizationId: 1, email: 1 });

/** Sign-up, reset and invitation links; `notice` rows only carry an email to send. */
const linkTokenSchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256 of the token, or a random id for notices
    purpose: { type: String, enum: ['signup', 'reset', 'invite', 'notice'], required: true },
    email: { type: String, required: true },
    userId: { type: String },
    organizationId: { type: String },
    /** Sign-up links: the language the account gets, as asked with the sign-up. */
    locale: { type: String, enum: ['fr', 'en'] },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date },
    supersededAt: { type: Date },
    outbox,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
linkTokenSchema.index({ email: 1, purpose: 1 });
linkTokenSchema.index({ expiresAt: 1 });

/** One row per link ever used: the insert that creates it is what makes a link single-use. */
const linkUseSchema = new Schema(
  { _id: { type: String, required: true } },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

const sessionSchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256 of the session token
    userId: { type: String, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
sessionSchema.index({ userId: 1 });
sessionSchema.index({ expiresAt: 1 });

const apiTokenSchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256 of the token
    tokenId: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    lastUsedAt: { type: Date },
    /** Absent on tokens made before tokens expired: those end API_TOKEN_TTL_DAYS after createdAt. */
    expiresAt: { type: Date },
    /** `read`, `write` or both; absent on tokens made before scopes, which may do both. */
    scopes: { type: [String], default: undefined },
    revokedAt: { type: Date },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.index({ tokenId: 1 }, { unique: true });
apiTokenSchema.index({ userId: 1 });

export type OrganizationDoc = InferSchemaType<typeof organizationSchema>;
export type UserDoc = InferSchemaType<typeof userSchema>;
export type LinkTokenDoc = InferSchemaType<typeof linkTokenSchema>;
export type SessionDoc = InferSchemaType<typeof sessionSchema>;
export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema>;

export function identityModels(db: Connection) {
  return {
    Organization: db.model('Organization', organizationSchema, 'organizations'),
    User: db.model('User', userSchema, 'users'),
    LinkToken: db.model('LinkToken', linkTokenSchema, 'link_tokens'),
    LinkUse: db.model('LinkUse', linkUseSchema, 'link_uses'),
    Session: db.model('Session', sessionSchema, 'sessions'),
    ApiToken: db.model('ApiToken', apiTokenSchema, 'api_tokens'),
  };
}

export type IdentityModels = ReturnType<typeof identityModels>;

/** Deletes what has expired (FerretDB cannot do it with TTL indexes). */
export async function sweepExpired(models: IdentityModels, now = new Date()): Promise<void> {
  // Link rows still holding an unpublished event wait for the relay.
  await models.LinkToken.deleteMany({ expiresAt: { $lt: now }, 'outbox.0': { $exists: false } });
  await models.Session.deleteMany({ expiresAt: { $lt: now } });
}
