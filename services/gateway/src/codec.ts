import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { consume, parseInput, type PayloadCodec, type TemporalPayload as Payload } from '@woop/service-kit';
import { z } from 'zod';
import { authenticate } from './auth';
import type { GatewayLimits } from './limits';
import { problem } from './problems';
import type { Upstreams } from './upstreams';

/**
 * The codec endpoint of the Temporal UI's "remote codec" (its Data Encoder setting): the UI
 * posts the payloads of a history it shows, `{payloads: [{metadata: {k: base64}, data: base64}]}`,
 * to /codec/decode and shows what comes back. Temporal holds ticket payloads encrypted
 * (service-kit's payload-codec); this answers with the plaintext to a signed-in admin only:
 * anyone else gets 401 or 403 and the UI keeps showing ciphertext. /codec/encode serves the
 * UI's own sends (a signal or an update typed in the UI).
 *
 * The UI calls from its own origin (TEMPORAL_UI_URL) with the gateway's session cookie when
 * "include cross-origin credentials" is set: CORS lets that one origin read the answer, with
 * credentials, and a request from any other origin is refused before authentication.
 */
export const CODEC_PATH = '/codec';
/** A history event's payloads: Temporal's own limit on one blob is 2 MB (base64 adds a third). */
const CODEC_BODY_LIMIT = '8mb';

const base64 = z
  .string()
  .max(6_000_000)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const jsonPayloadSchema = z.object({
  metadata: z.record(z.string().max(200), base64).nullish(),
  data: base64.nullish(),
});
const codecBodySchema = z.object({ payloads: z.array(jsonPayloadSchema).max(10_000) });
type JsonPayload = z.infer<typeof jsonPayloadSchema>;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...(data ? { data: Buffer.from(data, 'base64') } : {}),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : '',
});

export interface CodecDeps {
  codec: PayloadCodec;
  upstreams: Upstreams;
  limits: GatewayLimits;
  /** The Temporal UI's address (TEMPORAL_UI_URL): the one origin allowed to call. */
  temporalUiUrl: string;
}

export function mountCodec(app: Express, deps: CodecDeps): void {
  const allowedOrigin = new URL(deps.temporalUiUrl).origin;
  const router = express.Router();

  // CORS first, so that even a refusal reaches the UI as a readable 401/403.
  router.use((req, res, next) => {
    const origin = req.header('origin');
    res.vary('Origin');
    if (origin === allowedOrigin) {
      res.set({
        'Access-Control-Allow-Origin': allowedOrigin,
        'Access-Control-Allow-Credentials': 'true',
      });
    }
    if (req.method === 'OPTIONS') {
      if (origin !== allowedOrigin)
        return next(problem('origin_not_allowed', 'Only the Temporal UI may call the codec.'));
      res.set({
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'content-type, x-namespace',
        'Access-Control-Max-Age': '600',
      });
      return res.status(204).end();
    }
    next();
  });

  const guard: RequestHandler = async (req, res, next) => {
    await consume([deps.limits.perIp, req.ip ?? 'unknown']);
    const origin = req.header('origin');
    // A browser on any other page never gets here with the admin's cookie (and could not read the answer).
    if (origin !== undefined && origin !== allowedOrigin) {
      throw problem('origin_not_allowed', 'Only the Temporal UI may call the codec.');
    }
    const caller = await authenticate(req, res, deps.upstreams);
    if (caller.identity.role !== 'admin') {
      throw problem('forbidden', "Only an admin sees the content of Temporal's payloads.");
    }
    if (!req.is('application/json')) throw problem('unsupported_media_type', 'Send the body as application/json.');
    next();
  };

  const handle =
    (direction: 'encode' | 'decode') =>
    async (req: Request, res: Response): Promise<void> => {
      const { payloads } = parseInput(codecBodySchema, req.body, 'body');
      let out: Payload[];
      try {
        out = await deps.codec[direction](payloads.map(fromJson));
      } catch (err) {
        // Unknown key, altered ciphertext: the reason, never the content.
        throw problem('validation_failed', `The payloads do not ${direction}.`, [
          { path: 'payloads', message: (err as Error).message },
        ]);
      }
      res.set('Cache-Control', 'no-store').json({ payloads: out.map(toJson) });
    };

  const json = express.json({ limit: CODEC_BODY_LIMIT });
  router.post('/decode', guard, json, handle('decode'));
  router.post('/encode', guard, json, handle('encode'));
  app.use(CODEC_PATH, router);
}
