import {
  ATTACHMENT_EXTENSIONS,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  matchesExtension,
  type AttachmentMetadata,
  type AttachmentType,
} from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { addAttachment, attachmentUsage, matchesSignature, removeAttachment } from '../model/attachments';
import { TicketActionRefusedError, TicketClosedError } from './ticket-client';
import { requestClosed, type RouteContext } from './context';
import { problem } from './problems';

/**
 * The checks a file passes to become a request's attachment, whoever brings it: an upload
 * (attachment-routes.ts) or an email's attachment (mail.ts). Each refusal is a problem
 * with a stable code.
 */
type Deps = Pick<RouteContext, 'models' | 'workflows' | 'config'>;

const MIB = 1024 * 1024;

const unsupported = (detail: string) => problem('unsupported_media_type', detail);

/** The declared type is one accepted, and the name ends with one of its extensions. */
export function checkFileKind(contentType: string, filename: string): void {
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(contentType)) {
    throw unsupported(`Accepted types: ${ATTACHMENT_TYPES.join(', ')}.`);
  }
  // The name's extension: one of its type's (a name is what opens a downloaded file).
  if (!matchesExtension(contentType, filename)) {
    throw problem(
      'file_name_not_allowed',
      `A ${contentType} file's name ends with ${ATTACHMENT_EXTENSIONS[contentType as AttachmentType]
        .map((e) => `.${e}`)
        .join(' or ')}.`,
    );
  }
}

/** The bytes: not empty, not too big, and starting as the declared type does. */
export function checkFileContent(contentType: string, data: Buffer): void {
  if (data.length === 0) throw problem('empty_file', 'The request body must be the file.');
  if (data.length > ATTACHMENT_MAX_BYTES) {
    throw problem('payload_too_large', `A file is ${Math.floor(ATTACHMENT_MAX_BYTES / MIB)} MiB at most.`);
  }
  if (!matchesSignature(contentType, data)) {
    throw unsupported(`The file's content is not of type ${contentType}.`);
  }
}

/** Refuses a file that would take the ticket past its quota: `adding` bytes more, `extra` files more. */
export async function checkQuota(
  { models, config }: Deps,
  reference: string,
  adding: number,
  extra: number,
): Promise<void> {
  const maxFiles = config.TICKET_ATTACHMENTS_MAX_FILES;
  const maxBytes = config.TICKET_ATTACHMENTS_MAX_BYTES;
  const used = await attachmentUsage(models, reference);
  if (used.files + extra > maxFiles || used.bytes + adding > maxBytes) {
    throw problem(
      'attachment_limit_reached',
      `A request holds ${maxFiles} files and ${Math.floor(maxBytes / MIB)} MiB of files at most; ` +
        `${reference} has ${used.files} (${(used.bytes / MIB).toFixed(1)} MiB).`,
    );
  }
}

/**
 * Stores a checked file and announces it in the activity (`attach`, as `who`); if the quota is
 * overshot by a race or the announcement fails, the file goes again: nothing is left
 * half-added. `id` (24 hex digits) makes a retried store the same file (an email's attachment
 * read twice): stored once, announced once.
 */
export async function storeAttachment(
  deps: Deps,
  who: VerifiedIdentity,
  reference: string,
  file: { filename: string; contentType: string; data: Buffer; id?: string },
) {
  const { models, workflows } = deps;
  const attachment: AttachmentMetadata = await addAttachment(models, { reference, ...file }, who);
  // Counted again with this file stored: of uploads racing past the first check, those that
  // overshoot take theirs back.
  try {
    await checkQuota(deps, reference, 0, 0);
  } catch (err) {
    await removeAttachment(models, attachment.id);
    throw err;
  }
  // Announced in the activity stream by the workflow; if that fails the file goes too.
  const deadline = workflows.deadline();
  try {
    const view = await workflows.act(
      reference,
      'attach',
      {
        actor: { id: who.userId, role: who.role, name: who.name },
        payload: {
          attachmentId: attachment.id,
          filename: file.filename,
          contentType: file.contentType,
          size: attachment.size,
        },
      },
      `attach:${attachment.id}`,
      deadline,
    );
    return { attachment, view, deadline };
  } catch (err) {
    await removeAttachment(models, attachment.id);
    if (err instanceof TicketClosedError) throw requestClosed(reference);
    if (err instanceof TicketActionRefusedError) {
      // Closed since it was read; else the workflow's own refusal (its text is full, say).
      const { code, message, status } = err.refusal;
      throw status === 'closed' ? requestClosed(reference) : problem(code, message);
    }
    throw err;
  }
}
