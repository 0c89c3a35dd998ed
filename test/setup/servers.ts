import { connect } from 'node:net';

/** The servers the integration tests need, at the addresses the services default to. */
export const SERVERS = [
  { name: 'temporal', host: '127.0.0.1', port: 7233 },
  { name: 'kafka', host: '127.0.0.1', port: 9092 },
  { name: 'ferretdb', host: '127.0.0.1', port: 27017 },
  { name: 'mailcatcher', host: '127.0.0.1', port: 1025 },
] as const;

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
