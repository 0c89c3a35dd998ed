import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import {
  ATTACHMENT_EXTENSIONS,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  CATEGORIES,
  matchesExtension,
  portalSchema,
  ticketFormSchema,
  type AttachmentType,
} from '@woop/contracts';
import { ProblemError } from '@woop/service-kit';
import { problem } from '../problems';
import { formErrors, TIME_ZONE } from './i18n';
import { fieldErrors, type PageContext, type PageKit } from './kit';
import { catalogueOf, type RequestType } from './lookups';

export type { RequestType } from './lookups';
type Portal = z.infer<typeof portalSchema>;

export const MAX_FILES = 5;
/** Forms with files: kept in memory (5 MiB each at most), checked, then sent to the tickets service. */
export const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: ATTACHMENT_MAX_BYTES, files: MAX_FILES, fields: 100, fieldSize: 256 * 1024 },
});

/**
 * Reads a form with files (for `kit.page`'s `body`, so only once the visitor is let in); multer's
 * own refusals (a file too big, too many) become a sentence next to the files field.
 */
export function withUploads(field: string) {
  const parse = upload.array(field, MAX_FILES);
  return (req: express.Request, res: express.Response) =>
    new Promise<void>((resolve, reject) => {
      parse(req, res, (err: unknown) => {
        if (err instanceof multer.MulterError) {
          (req as { uploadError?: string }).uploadError = err.code;
          req.body ??= {};
          return resolve();
        }
        if (err) return reject(err instanceof Error ? err : new Error('the form could not be read'));
        resolve();
      });
    });
}

const CATEGORY_ORDER = Object.keys(CATEGORIES) as Array<keyof typeof CATEGORIES>;

/** The catalogue of a portal grouped in the guide's four categories, in their order. */
export function groupByCategory(types: RequestType[]) {
  return CATEGORY_ORDER.map((key) => ({
    key,
    label: CATEGORIES[key],
    types: types.filter((t) => t.category === key),
  })).filter((c) => c.types.length > 0);
}

/** `2026-05-03T17:28` typed in Paris (a datetime-local input) as an ISO instant with its offset. */
export function parisLocalToIso(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return undefined;
  const asUtc = new Date(`${local}:00Z`);
  if (Number.isNaN(asUtc.getTime())) return undefined;
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, timeZoneName: 'longOffset' })
    .formatToParts(asUtc)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(name ?? '')?.[1] ?? '+00:00';
  return `${local}:00${offset}`;
}

/** The form's values as the API takes them: empty optional fields left out, lists one per line. */
export function formToFields(type: RequestType, body: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of type.fields) {
    const raw = body[`fields.${field.key}`];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') continue;
    if (field.type === 'list') {
      fields[field.key] = value
        .split(/\r?\n/)
        .map((v) => v.trim())
        .filter(Boolean);
    } else if (field.type === 'datetime') {
      fields[field.key] = parisLocalToIso(value) ?? value;
    } else {
      fields[field.key] = value;
    }
  }
  return fields;
}

export type UploadedFile = { originalname: string; mimetype: string; size: number; buffer: Buffer };

/** Files a form carries, checked against what the tickets service takes; a sentence for each refusal. */
export function checkFiles(ctx: PageContext, files: UploadedFile[], uploadError?: string): string | undefined {
  if (uploadError === 'LIMIT_FILE_SIZE') return ctx.t('attachments.too-big');
  if (uploadError) return ctx.t('attachments.too-many', { max: MAX_FILES });
  const wrong = files.find((f) => !(ATTACHMENT_TYPES as readonly string[]).includes(f.mimetype));
  if (wrong) return ctx.t('attachments.wrong-type', { name: wrong.originalname });
  const misnamed = files.find((f) => !matchesExtension(f.mimetype, f.originalname));
  if (misnamed) {
    return ctx.t('attachments.wrong-name', {
      name: misnamed.originalname,
      type: misnamed.mimetype,
      extensions: ATTACHMENT_EXTENSIONS[misnamed.mimetype as AttachmentType].map((e) => `.${e}`).join(', '),
    });
  }
  const empty = files.find((f) => f.size === 0);
  if (empty) return ctx.t('attachments.empty', { name: empty.originalname });
  return undefined;
}

/** Sends files to a request, one by one; the names of those the service refused, with why. */
export async function attachFiles(ctx: PageContext, reference: string, files: UploadedFile[]): Promise<string[]> {
  const refused: string[] = [];
  for (const file of files) {
    const path = `/v1/tickets/${encodeURIComponent(reference)}/attachments?filename=${encodeURIComponent(file.originalname)}`;
    try {
      await ctx.deps.upstreams.json('tickets', ctx.req, {
        method: 'POST',
        path,
        identity: ctx.me,
        raw: { body: file.buffer, contentType: file.mimetype },
      });
    } catch (err) {
      if (!(err instanceof ProblemError) || err.status >= 500) throw err;
      refused.push(`${file.originalname} (${ctx.t(`error.${err.code}`, { defaultValue: err.detail ?? err.title })})`);
    }
  }
  return refused;
}

/** Home, the two portals with their request types, and one form per request type. */
export function portalPages(kit: PageKit): Router {
  const r = express.Router();
  r.get(
    '/',
    kit.page('user', async (ctx) => {
      const [retailer, carrier] = await Promise.all([catalogueOf(ctx, 'retailer'), catalogueOf(ctx, 'carrier')]);
      ctx.render('home', {
        title: ctx.t('portal.name'),
        section: 'home',
        notice: ctx.req.query.welcome ? ctx.t('home.welcome-new') : undefined,
        portals: [
          { key: 'retailer', icon: 'store', types: retailer },
          { key: 'carrier', icon: 'truck', types: carrier },
        ],
      });
    }),
  );

  const portalOf = (ctx: PageContext): Portal | undefined => {
    const parsed = portalSchema.safeParse(ctx.req.params.portal);
    return parsed.success ? parsed.data : undefined;
  };
  const crumbs = (ctx: PageContext, portal: Portal, type?: RequestType) => [
    { label: ctx.t('portal.name'), href: '/' },
    ...(type
      ? [{ label: ctx.t(`home.portal-${portal}`), href: `/portal/${portal}` }, { label: type.label[ctx.locale] }]
      : [{ label: ctx.t(`home.portal-${portal}`) }]),
  ];

  r.get(
    '/portal/:portal',
    kit.page('user', async (ctx) => {
      const portal = portalOf(ctx);
      if (!portal) throw problem('not_found');
      ctx.render('portal', {
        title: ctx.t(`home.portal-${portal}`),
        section: 'home',
        portal,
        breadcrumbs: crumbs(ctx, portal),
        categories: groupByCategory(await catalogueOf(ctx, portal)),
      });
    }),
  );

  const loadType = async (ctx: PageContext, portal: Portal): Promise<RequestType> => {
    const key = z
      .string()
      .regex(/^[a-z0-9-]{1,100}$/)
      .safeParse(ctx.req.params.type);
    if (!key.success) throw problem('not_found');
    const type = await ctx.call<RequestType>('tickets', { method: 'GET', path: `/v1/catalogue/${key.data}` });
    if (!type.portals.includes(portal)) throw problem('not_found');
    return type;
  };

  const showForm = (
    ctx: PageContext,
    portal: Portal,
    type: RequestType,
    model: { values?: Record<string, unknown>; errors?: Record<string, string>; message?: string },
    status = 200,
  ) => {
    const values = model.values ?? {};
    ctx.render(
      'create-request',
      {
        title: type.label[ctx.locale],
        section: 'home',
        portal,
        type,
        breadcrumbs: crumbs(ctx, portal, type),
        idempotencyKey: typeof values.idempotencyKey === 'string' ? values.idempotencyKey : randomUUID(),
        summary: values.summary,
        description: values.description,
        fields: type.fields.map((f) => ({
          ...f,
          id: `field-${f.key}`,
          name: `fields.${f.key}`,
          label: f.label[ctx.locale],
          inputType:
            f.type === 'datetime'
              ? 'datetime-local'
              : f.type === 'list'
                ? 'textarea'
                : f.type === 'email'
                  ? 'email'
                  : f.type,
          hint:
            f.type === 'list'
              ? ctx.t('form.list-hint')
              : f.type === 'datetime'
                ? ctx.t('form.datetime-hint')
                : undefined,
          options: f.options?.map((o) => ({ value: o.value, label: o.label[ctx.locale] })),
          value: values[`fields.${f.key}`],
          error: model.errors?.[`fields.${f.key}`],
        })),
        errors: model.errors,
        message: model.message,
        accept: ATTACHMENT_TYPES.join(','),
        maxFiles: MAX_FILES,
      },
      status,
    );
  };

  r.get(
    '/portal/:portal/create/:type',
    kit.page('user', async (ctx) => {
      const portal = portalOf(ctx);
      if (!portal) throw problem('not_found');
      showForm(ctx, portal, await loadType(ctx, portal), {});
    }),
  );

  r.post(
    '/portal/:portal/create/:type',
    kit.page(
      'user',
      async (ctx) => {
        const portal = portalOf(ctx);
        if (!portal) throw problem('not_found');
        const type = await loadType(ctx, portal);
        const body = ctx.req.body as Record<string, string>;
        const files = (ctx.req.files as UploadedFile[] | undefined) ?? [];
        const input = {
          summary: body.summary ?? '',
          description: body.description ?? '',
          fields: formToFields(type, body),
        };
        const checked = formErrors(ticketFormSchema(type), input, ctx.locale);
        const errors: Record<string, string> = { ...checked.errors };
        const fileProblem = checkFiles(ctx, files, (ctx.req as { uploadError?: string }).uploadError);
        if (fileProblem) errors.attachments = fileProblem;
        if (Object.keys(errors).length > 0) return showForm(ctx, portal, type, { values: body, errors }, 400);

        const key =
          typeof body.idempotencyKey === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(body.idempotencyKey)
            ? body.idempotencyKey
            : randomUUID();
        let reference: string;
        try {
          const created = await ctx.deps.upstreams.json<{ ticket: { reference: string } }>('tickets', ctx.req, {
            method: 'POST',
            path: '/v1/tickets',
            identity: ctx.me,
            json: { requestType: type.key, portal, ...input },
            headers: { 'idempotency-key': key },
            queued: true,
          });
          reference = created.body.ticket.reference;
        } catch (err) {
          if (!(err instanceof ProblemError) || err.status >= 500 || err.status === 401) throw err;
          return showForm(
            ctx,
            portal,
            type,
            { values: body, errors: fieldErrors(err), message: kit.sentence(ctx, err) },
            err.status,
          );
        }
        const refused = await attachFiles(ctx, reference, files);
        ctx.flash('request.created', { reference });
        if (refused.length > 0) ctx.flash('attachments.refused', { files: refused.join(', ') });
        ctx.redirect(`/requests/${reference}`);
      },
      { body: withUploads('attachments') },
    ),
  );

  return r;
}
