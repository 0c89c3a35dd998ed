import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stopContainers } from './containers';

/** Stops what the global setup started (servers that were already running are left alone). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.TEST_INFRA === 'containers') {
    await stopContainers();
    return;
  }
  const started = (globalThis as { startedLocalInfra?: boolean }).startedLocalInfra;
  if (started && process.env.WOOP_KEEP_INFRA !== '1') {
    execFileSync('bash', [join(__dirname, '..', '..', 'deploy/local/stack.sh'), 'down'], { stdio: 'inherit' });
  }
  const some = (globalThis as { startedServers?: string[] }).startedServers ?? [];
  if (process.env.WOOP_KEEP_INFRA !== '1') {
    for (const name of some) {
      execFileSync('bash', [join(__dirname, '..', '..', `deploy/local/${name}.sh`), 'stop'], { stdio: 'inherit' });
    }
  }
}
