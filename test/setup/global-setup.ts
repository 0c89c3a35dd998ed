import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startContainers } from './containers';
import { exportServerAddresses, portOpen, SERVERS } from './servers';
import './env';

const ROOT = join(__dirname, '..', '..');

/**
 * Makes the real servers available before any integration test runs:
 * - default: the local binaries (deploy/local), started only if they are not already running,
 *   on the ports deploy/local's variables give (see servers.ts);
 * - TEST_INFRA=containers: official images through testcontainers (needs a Docker engine).
 */
export default async function globalSetup(): Promise<void> {
  // Services spawned by the tests run from dist/: build incrementally first (seconds when fresh).
  execFileSync('npx', ['tsc', '-b'], { cwd: ROOT, stdio: 'inherit' });
  // Binaries some suites start themselves, even when the shared servers already run: the
  // Temporal CLI (a dev server of their own) and the time-skipping test server (Java).
  execFileSync('bash', [join(ROOT, 'deploy/local/temporal.sh'), 'install'], { stdio: 'inherit' });
  execFileSync('bash', [join(ROOT, 'deploy/local/temporal-test-server.sh'), 'install'], { stdio: 'inherit' });
  if (process.env.TEST_INFRA === 'containers') {
    await startContainers();
    return;
  }
  exportServerAddresses();
  const down = [];
  for (const s of SERVERS) if (!(await portOpen(s.host, s.port))) down.push(s.name);
  if (down.length === SERVERS.length) {
    process.stderr.write(`\nstarting local servers (${down.join(', ')} not running)...\n`);
    execFileSync('bash', [join(ROOT, 'deploy/local/stack.sh'), 'infra'], { stdio: 'inherit' });
    (globalThis as { startedLocalInfra?: boolean }).startedLocalInfra = true;
  } else if (down.length > 0) {
    // Some run already (maybe another checkout's, which this one's pid files do not know): only
    // the missing ones are started, each by its own script (e.g. the mailbox added after them).
    process.stderr.write(`\nstarting ${down.join(', ')} (not running; the other servers are)...\n`);
    for (const name of down)
      execFileSync('bash', [join(ROOT, `deploy/local/${name}.sh`), 'start'], { stdio: 'inherit' });
    (globalThis as { startedServers?: string[] }).startedServers = down;
  }
  // The tests' own topics (see ./env): created here, since the broker creates none by itself.
  execFileSync(process.execPath, [join(ROOT, 'packages/service-kit/dist/cli/ensure-topics.js')], {
    stdio: 'inherit',
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
}
