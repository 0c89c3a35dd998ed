import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

/**
 * Replays the recorded histories in workflows/histories against today's workflow code: a
 * change that would break a running ticket fails here, in CI, instead of in production.
 */
const DIR = join(__dirname, '..', '..', 'histories');

describe('ticket workflow history compatibility', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has recorded histories to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)(
    'replays %s without non-determinism',
    async (file) => {
      const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
      await expect(
        Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, file),
      ).resolves.toBeUndefined();
    },
    60_000,
  );
});
