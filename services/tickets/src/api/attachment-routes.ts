import express, { type Router } from 'express';
import { ATTACHMENT_MAX_BYTES, attachmentParams, attachmentQuery, referenceParams } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import { attachmentFile, listAttachments } from '../model/attachments';
import { checkFileContent, checkFileKind, checkQuota, storeAttachment } from './attachment-checks';
import { refuseIfClosed, type RouteContext } from './context';
import { problem } from './problems';

/** `filename*` (RFC 6266 / 8187): any name, safely quoted, whatever its characters. */
const contentDisposition = (filename: string) =>
  `attachment; filename*=UTF-8''${encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )}`;

/** Files attached to a ticket: anyone who sees the ticket lists and downloads them, and adds some until it is closed. */
export function attachmentRoutes(ctx: RouteContext, r: Router): void {
  const { models, caller, visibleTicket, projected } = ctx;
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
      // The same checks as an email's attachments (attachment-checks.ts).
      checkFileKind(contentType, filename);
      const ticket = await visibleTicket(who, reference);
      // A closed ticket is final (its workflow has completed): nothing more is added to it.
      refuseIfClosed(ticket, reference);
      // The quota, before the file is read, with the size the client announces.
      await checkQuota(ctx, reference, Number(req.header('content-length')) || 0, 1);
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
      checkFileContent(contentType, data);
      const { attachment, view, deadline } = await storeAttachment(ctx, who, reference, {
        filename,
        contentType,
        data,
      });
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
