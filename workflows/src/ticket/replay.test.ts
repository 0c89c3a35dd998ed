import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DEVELOPMENT_PAYLOAD_KEY, PayloadEncryptionCodec, temporalDataConverter } from '@woop/service-kit';

/**
 * Replays the recorded histories in workflows/histories against today's workflow code: a
 * change that would break a running ticket fails here, in CI, instead of in production.
 *
 * With the worker's payload codec: histories recorded before payload encryption hold plain
 * payloads (the codec passes them through); later ones (`encrypted-*`, every recording since)
 * were written with the development key, which `npm run histories:record` uses.
 */
const DIR = join(__dirname, '..', '..', 'histories');
const history = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
const replay = (file: string, codec: PayloadEncryptionCodec) =>
  Worker.runReplayHistory(
    { workflowsPath: require.resolve('../workflows'), dataConverter: temporalDataConverter(codec) },
    history(file),
    file,
  );

describe('ticket workflow history compatibility', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  const encrypted = files.filter((f) => f.startsWith('encrypted-'));

  it('has recorded histories to check, encrypted ones among them', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(encrypted.length).toBeGreaterThanOrEqual(1);
  });

  it.each(files)(
    'replays %s without non-determinism',
    async (file) => {
      await expect(replay(file, new PayloadEncryptionCodec([DEVELOPMENT_PAYLOAD_KEY]))).resolves.toBeUndefined();
    },
    60_000,
  );

  describe.each(encrypted)('%s', (file) => {
    it('holds ciphertext only: no word of the request is readable in it', () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const decoded = [...text.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)]
        .map((m) => Buffer.from(m[1]!, 'base64').toString('latin1'))
        .join('\n');
      for (const plain of ['Faille', 'claire.martin', 'RSSI', 'Corrigé', 'Sarah']) {
        expect(text).not.toContain(plain);
        expect(decoded).not.toContain(plain);
      }
      expect(text).toContain(Buffer.from('binary/encrypted').toString('base64'));
    });

    it('still replays after a key rotation (a new current key, the old one kept)', async () => {
      const rotated = new PayloadEncryptionCodec(
        [{ id: 'rotated', key: randomBytes(32) }, DEVELOPMENT_PAYLOAD_KEY],
        'rotated',
      );
      await expect(replay(file, rotated)).resolves.toBeUndefined();
    }, 60_000);

    it('does not replay once the key it was written with is gone', async () => {
      const withoutIt = new PayloadEncryptionCodec([{ id: 'rotated', key: randomBytes(32) }]);
      await expect(replay(file, withoutIt)).rejects.toThrow(/unknown key \(dev\)/);
    }, 60_000);
  });
});
