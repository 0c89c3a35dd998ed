import { Schema, type Connection } from 'mongoose';
import { TICKETS_COLLECTION } from './read-model';

/**
 * The tickets database's collections as mongoose models: the request-type catalogue and its
 * versions, attachments, the reference counter, idempotency keys and canned answers. The read model (`tickets`,
 * `ticket_rows`, see read-model.ts) and the people directory (people.ts) use the driver.
 * Only schemas here, so every module of the model imports this one and nothing imports back.
 */
const requestTypeSchema = new Schema({ _id: String }, { strict: false, versionKey: false });
const counterSchema = new Schema({ _id: String, value: Number }, { versionKey: false });
const referenceSchema = new Schema(
  { _id: Number },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
const idempotencySchema = new Schema(
  { _id: String, reference: { type: String, required: true }, requestHash: { type: String, required: true } },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

/**
 * Files attached to a ticket, stored beside it in the tickets database (one document per file,
 * at most ATTACHMENT_MAX_BYTES, far below the 16 MB document limit).
 */
const attachmentSchema = new Schema(
  {
    reference: { type: String, required: true, index: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    uploadedBy: { id: String, name: String, role: String },
    data: { type: Buffer, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

/**
 * Every version of every request type, `_id` `key@version`, never changed once written: a
 * ticket records the version it was created under and can always be rendered with it. The
 * current definition (`request_types`) is a copy of each type's latest version.
 */
const requestTypeVersionSchema = new Schema(
  { _id: String, key: String, version: Number, createdBy: { id: String, name: String } },
  { strict: false, versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
requestTypeVersionSchema.index({ key: 1, version: -1 });

/**
 * Teams' canned answers (canned-answers.ts): the current text of each, `_id` a hex ObjectId, and
 * one claim per version (`<id>@<version>`) so that two edits of one version cannot both win.
 */
const localized = { fr: { type: String, required: true }, en: { type: String, required: true } };
const cannedAnswerSchema = new Schema(
  {
    _id: String,
    team: { type: String, required: true, index: true },
    title: localized,
    body: localized,
    version: { type: Number, required: true },
    updatedBy: { type: String, required: true },
  },
  { versionKey: false, timestamps: true },
);
const cannedAnswerVersionSchema = new Schema(
  { _id: String, answerId: { type: String, required: true, index: true }, by: String },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

export function ticketModels(db: Connection) {
  return {
    RequestType: db.model('RequestType', requestTypeSchema, 'request_types'),
    RequestTypeVersion: db.model('RequestTypeVersion', requestTypeVersionSchema, 'request_type_versions'),
    Attachment: db.model('Attachment', attachmentSchema, 'attachments'),
    Counter: db.model('Counter', counterSchema, 'counters'),
    Idempotency: db.model('Idempotency', idempotencySchema, 'idempotency_keys'),
    Reference: db.model('Reference', referenceSchema, 'references'),
    CannedAnswer: db.model('CannedAnswer', cannedAnswerSchema, 'canned_answers'),
    CannedAnswerVersion: db.model('CannedAnswerVersion', cannedAnswerVersionSchema, 'canned_answer_versions'),
    tickets: () => db.collection(TICKETS_COLLECTION),
    /** The driver's database, for the read model's queries. */
    native: () => {
      if (!db.db) throw new Error('the tickets database is not connected yet');
      return db.db;
    },
  };
}
export type TicketModels = ReturnType<typeof ticketModels>;
