import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ROOT } from '../support/processes';

/**
 * Issue 23, finding 9: Zipkin died of OutOfMemoryError and `npm run status` said "zipkin:
 * stopped", as if nobody had started it. `stack.sh status` now tells a server that DIED (pid file
 * left, process gone) from one that is NOT ANSWERING (process up, health check failing) and from
 * one merely stopped, and exits non-zero. Run on a data directory of its own: pid files and logs
 * made here, nothing of the shared servers touched.
 */
describe('npm run status (deploy/local/stack.sh status)', () => {
  let dataDir: string;
  const sleepers: number[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'woop-status-'));
    mkdirSync(join(dataDir, 'run'), { recursive: true });
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
  });
  afterEach(() => {
    for (const pid of sleepers.splice(0)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const status = (env: Record<string, string> = {}) => {
    const run = spawnSync('bash', [join(ROOT, 'deploy/local/stack.sh'), 'status'], {
      env: { ...process.env, WOOP_DATA_DIR: dataDir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: run.status, out: run.stdout };
  };

  it('says "stopped" for what was never started, and exits 3', () => {
    const { code, out } = status();
    expect(out).toMatch(/^zipkin: stopped$/m);
    expect(out).toMatch(/^gateway: stopped$/m);
    expect(out).not.toMatch(/DIED|NOT ANSWERING/);
    expect(code).toBe(3);
  });

  it('says which server DIED (with its log’s cause) and which is NOT ANSWERING, and exits 1', async () => {
    // Zipkin as the incident left it: its pid file, its process gone, an OutOfMemoryError logged.
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dataDir, 'run', 'zipkin.pid'), `${gone}\n`);
    writeFileSync(
      join(dataDir, 'logs', 'zipkin.log'),
      'started\njava.lang.OutOfMemoryError: Java heap space\nTerminating due to java.lang.OutOfMemoryError\n',
    );
    // The mail catcher's process up, its web port answering nothing.
    const hung = spawn('sleep', ['120'], { stdio: 'ignore' });
    sleepers.push(hung.pid!);
    writeFileSync(join(dataDir, 'run', 'mailcatcher.pid'), `${hung.pid}\n`);
    // The gateway's process up, nothing on its port.
    const silent = spawn('sleep', ['120'], { stdio: 'ignore' });
    sleepers.push(silent.pid!);
    writeFileSync(join(dataDir, 'run', 'gateway.pid'), `${silent.pid}\n`);
    const [web, smtp, gateway] = [await freePort(), await freePort(), await freePort()];

    const { code, out } = status({
      MAILCATCHER_WEB_PORT: String(web),
      MAILCATCHER_SMTP_PORT: String(smtp),
      GATEWAY_PORT: String(gateway),
    });
    expect(out).toMatch(new RegExp(`^zipkin: DIED \\(pid ${gone} is gone`, 'm'));
    expect(out).toMatch(/^ {4}cause: java\.lang\.OutOfMemoryError: Java heap space$/m);
    expect(out).toMatch(new RegExp(`^mailcatcher: NOT ANSWERING \\(pid ${hung.pid} is up`, 'm'));
    expect(out).toMatch(new RegExp(`^gateway: NOT ANSWERING \\(pid ${silent.pid} is up`, 'm'));
    expect(out).toMatch(/^kafka: stopped$/m);
    expect(code).toBe(1);
  }, 90_000);
});
