import { createHash } from 'node:crypto';
import type { AttachmentMetadata } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { Types } from 'mongoose';
import type { TicketModels } from './database';

/** Files attached to a ticket (`attachments`), stored with their size and SHA-256. */

// The leading bytes of the formats a browser would render; a mismatch is a disguised file.
// OOXML documents are zip archives.
const ZIP = [[0x50, 0x4b, 0x03, 0x04]];
const SIGNATURES: Record<string, number[][]> = {
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [Array.from(Buffer.from('GIF87a')), Array.from(Buffer.from('GIF89a'))],
  'application/pdf': [Array.from(Buffer.from('%PDF-'))],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ZIP,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ZIP,
};

const startsWith = (data: Buffer, signature: number[]) => signature.every((byte, i) => data[i] === byte);

/**
 * Formats a text file must not be: the other accepted types' and executables' (Windows `MZ`,
 * ELF). A text declared as text whose bytes are a program or an image is a disguised file.
 */
const NOT_TEXT: number[][] = [
  ...Object.values(SIGNATURES).flat(),
  Array.from(Buffer.from('MZ')),
  [0x7f, 0x45, 0x4c, 0x46],
];
const TEXT_TYPES = new Set(['text/plain', 'text/csv']);

/**
 * Whether the file starts as its declared type says; a text (no signature of its own) must not
 * start as a binary format does.
 */
export function matchesSignature(contentType: string, data: Buffer): boolean {
  const signatures = SIGNATURES[contentType];
  if (signatures) return signatures.some((s) => startsWith(data, s));
  return !TEXT_TYPES.has(contentType) || !NOT_TEXT.some((s) => startsWith(data, s));
}

type StoredAttachment = Omit<AttachmentMetadata, 'id' | 'createdAt'> & {
  _id: Types.ObjectId;
  createdAt: Date;
  data?: unknown;
};

const metadataOf = ({ _id, createdAt, data: _data, ...rest }: StoredAttachment): AttachmentMetadata => ({
  id: _id.toHexString(),
  ...rest,
  createdAt: createdAt.toISOString(),
});

/**
 * Stores a file. With `id` (24 hex digits, derived by the caller from what brought the file),
 * storing it again is finding it: an email read twice keeps its attachments once.
 */
export async function addAttachment(
  models: TicketModels,
  { id, ...file }: { reference: string; filename: string; contentType: string; data: Buffer; id?: string },
  by: VerifiedIdentity,
): Promise<AttachmentMetadata> {
  if (id !== undefined) {
    const known = await models.Attachment.findOne(
      { _id: new Types.ObjectId(id), reference: file.reference },
      { data: 0 },
    ).lean();
    if (known) return metadataOf(known as unknown as StoredAttachment);
  }
  const doc = await models.Attachment.create({
    ...(id !== undefined ? { _id: new Types.ObjectId(id) } : {}),
    ...file,
    size: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    uploadedBy: { id: by.userId, name: by.name, role: by.role },
  });
  return metadataOf(doc.toObject() as unknown as StoredAttachment);
}

/** Takes back a file whose announcement in the ticket failed: nothing is left half-added. */
export async function removeAttachment(models: TicketModels, id: string): Promise<void> {
  await models.Attachment.deleteOne({ _id: id });
}

/** How many files a ticket holds and their bytes all together (a quota applies to both). */
export async function attachmentUsage(
  models: TicketModels,
  reference: string,
): Promise<{ files: number; bytes: number }> {
  const docs = await models.Attachment.find({ reference }, { size: 1 }).lean();
  return { files: docs.length, bytes: docs.reduce((sum, d) => sum + (Number(d.size) || 0), 0) };
}

export async function listAttachments(models: TicketModels, reference: string): Promise<AttachmentMetadata[]> {
  const docs = await models.Attachment.find({ reference }, { data: 0 }).sort({ createdAt: 1, _id: 1 }).lean();
  return (docs as unknown as StoredAttachment[]).map(metadataOf);
}

/** The file and its metadata, if `id` is an attachment of that ticket. */
export async function attachmentFile(
  models: TicketModels,
  reference: string,
  id: string,
): Promise<{ metadata: AttachmentMetadata; data: Buffer } | undefined> {
  const doc = await models.Attachment.findOne({ _id: new Types.ObjectId(id), reference }).lean();
  if (!doc) return undefined;
  // A lean read gives the driver's Binary, whose `value()` is exactly the stored bytes.
  const data = doc.data as unknown as Buffer | { value(): Uint8Array };
  return {
    metadata: metadataOf(doc as unknown as StoredAttachment),
    data: Buffer.isBuffer(data) ? data : Buffer.from(data.value()),
  };
}
