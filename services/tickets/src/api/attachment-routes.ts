import express, { type Router } from 'express';
import {
  ATTACHMENT_EXTENSIONS,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  type AttachmentType,
  attachmentParams,
  attachmentQuery,
  matchesExtension,
  referenceParams,
} from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import {
  addAttachment,
  attachmentFile,
  attachmentUsage,
  listAttachments,
  matchesSignature,
  removeAttachment,
} from '../model/attachments';
import { TicketActionRefusedError, TicketClosedError } from './ticket-client';
import { refuseIfClosed, requestClosed, type RouteContext } from './context';
import { problem } from './problems';

const unsupported = (detail: string) => problem('unsupported_media_type', detail);

const MIB = 1024 * 1024;

/** `filename*` (RFC 6266 / 8187): any name, safely quoted, whatever its characters. */
const contentDisposition = (filename: string) =>
  `attachment; filename*=UTF-8''${encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )}`;

/** Files attached to a ticket: anyone who sees the ticket lists and downloads them, and adds some until it is closed. */
export function attachmentRoutes(ctx: RouteContext, r: Router): void {
  const { models, workflows, caller, visibleTicket, projected, config } = ctx;
  const maxFiles = config.TICKET_ATTACHMENTS_MAX_FILES;
  const maxBytes = config.TICKET_ATTACHMENTS_MAX_BYTES;
  /** Refuses a file that would take the ticket past its quota: `adding` bytes more, `extra` files more. */
  const checkQuota = async (reference: string, adding: number, extra: number) => {
    const used = await attachmentUsage(models, reference);
    if (used.files + extra > maxFiles || used.bytes + adding > maxBytes) {
      throw problem(
        'attachment_limit_reached',
        `A request holds ${maxFiles} files and ${Math.floor(maxBytes / MIB)} MiB of files at most; ` +
          `${reference} has ${used.files} (${(used.bytes / MIB).toFixed(1)} MiB).`,
      );
    }
  };
  // The file is the raw body; every type is read here so that a wrong one gets a problem, not a silent skip.
  const readFile = express.raw({ type: () => true, limit: ATTACHMENT_MAX_BYTES });

  r.post(
    '/tickets/:reference/attachments',
    // Everything that does not need the file is checked before it is read.
    async (req, res, next) => {
      const who = caller(req);
      const { reference } = parseInput(referenceParams, req.params, 'path');
      const { filename } = parseInput(attachmentQuery, req.query, 'query');
      const contentType = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
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
      const ticket = await visibleTicket(who, reference);
      // A closed ticket is final (its workflow has completed): nothing more is added to it.
      refuseIfClosed(ticket, reference);
      // The quota, before the file is read, with the size the client announces.
      await checkQuota(reference, Number(req.header('content-length')) || 0, 1);
      res.locals.upload = { who, reference, filename, contentType };
      next();
    },
    readFile,
    async (req, res) => {
      const { who, reference, filename, contentType } = res.locals.upload as {
        who: ReturnType<typeof caller>;
        reference: string;
        filename: string;
        contentType: string;
      };
      const data = req.body as unknown;
      if (!Buffer.isBuffer(data) || data.length === 0) {
        throw problem('empty_file', 'The request body must be the file.');
      }
      if (!matchesSignature(contentType, data)) {
        throw unsupported(`The file's content is not of type ${contentType}.`);
      }
      const attachment = await addAttachment(models, { reference, filename, contentType, data }, who);
      // Counted again with this file stored: of uploads racing past the first check, those that
      // overshoot take theirs back.
      try {
        await checkQuota(reference, 0, 0);
      } catch (err) {
        await removeAttachment(models, attachment.id);
        throw err;
      }
      // Announced in the activity stream by the workflow; if that fails the file goes too.
      const deadline = workflows.deadline();
      let view;
      try {
        view = await workflows.act(
          reference,
          'attach',
          {
            actor: { id: who.userId, role: who.role, name: who.name },
            payload: { attachmentId: attachment.id, filename, contentType, size: attachment.size },
          },
          `attach:${attachment.id}`,
          deadline,
        );
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
      // Recorded: the uploader's next read shows it (the file stays even if this times out).
      await projected(reference, view, deadline);
      res.status(201).location(`/v1/tickets/${reference}/attachments/${attachment.id}`).json(attachment);
    },
  );

  r.get('/tickets/:reference/attachments', async (req, res) => {
    const who = caller(req);
    const { reference } = parseInput(referenceParams, req.params, 'path');
    await visibleTicket(who, reference);
    res.json({ items: await listAttachments(models, reference) });
  });

  r.get('/tickets/:reference/attachments/:attachmentId', async (req, res) => {
    const who = caller(req);
    const { reference, attachmentId } = parseInput(attachmentParams, req.params, 'path');
    await visibleTicket(who, reference);
    const file = await attachmentFile(models, reference, attachmentId);
    if (!file) {
      throw problem('attachment_not_found', `${reference} has no such file.`);
    }
    res
      .status(200)
      .set({
        'Content-Type': file.metadata.contentType,
        'Content-Disposition': contentDisposition(file.metadata.filename),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-cache',
      })
      .send(file.data);
  });
}
