import { connect } from 'node:net';

const env = process.env;
const HOST = '127.0.0.1';
const port = (variable: string, fallback: number) => Number(env[variable] ?? fallback);

/**
 * The servers the integration tests need, where deploy/local starts them: the defaults, or the
 * ports its variables (`TEMPORAL_PORT`, `KAFKA_PORT`, `FERRETDB_PORT`, `MAILCATCHER_*_PORT`,
 * `IMAP_PORT`: the support mailbox, read by the inbound service at the same variable) move them to, so a second stack on other ports can run the tests beside the first.
 */
export const SERVERS = [
  { name: 'temporal', host: HOST, port: port('TEMPORAL_PORT', 7233) },
  { name: 'kafka', host: HOST, port: port('KAFKA_PORT', 9092) },
  { name: 'ferretdb', host: HOST, port: port('FERRETDB_PORT', 27017) },
  { name: 'mailcatcher', host: HOST, port: port('MAILCATCHER_SMTP_PORT', 1025) },
  { name: 'imap', host: HOST, port: port('IMAP_PORT', 1143) },
] as const;

/**
 * Gives the tests (and the services they start) the moved servers' addresses, in the variables
 * they read, unless those are set already; nothing changes when no port is moved. Called by
 * the global setup: the test workers, started after it, inherit them.
 */
export function exportServerAddresses(): void {
  const moved: Array<[portVariable: string, variable: string, address: (port: string) => string]> = [
    ['TEMPORAL_PORT', 'TEMPORAL_ADDRESS', (p) => `${HOST}:${p}`],
    ['TEMPORAL_UI_PORT', 'TEMPORAL_UI_URL', (p) => `http://${HOST}:${p}`],
    ['KAFKA_PORT', 'KAFKA_BROKERS', (p) => `${HOST}:${p}`],
    ['FERRETDB_PORT', 'MONGODB_URI', (p) => `mongodb://${HOST}:${p}`],
    ['MAILCATCHER_SMTP_PORT', 'SMTP_URL', (p) => `smtp://${HOST}:${p}`],
    ['MAILCATCHER_WEB_PORT', 'MAILCATCHER_API_URL', (p) => `http://${HOST}:${p}/api`],
  ];
  for (const [portVariable, variable, address] of moved) {
    const p = env[portVariable];
    if (p !== undefined && env[variable] === undefined) env[variable] = address(p);
  }
}

export function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
