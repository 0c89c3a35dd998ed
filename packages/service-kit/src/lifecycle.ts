import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from './logger';

export interface Closeable {
  close(): Promise<void>;
}

/** Starts listening; resolves with the bound server (port 0 picks a free port, for tests). */
export function listen(app: RequestListener, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive connections would hold close() open until their idle timeout.
    server.closeIdleConnections();
  });
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: run `steps` in order (stop accepting, drain, disconnect,
 * flush traces), then exit 0; exit 1 if they take longer than `timeoutMs` or one fails.
 */
export function installShutdown(logger: Logger, timeoutMs: number, steps: Array<() => Promise<void>>): void {
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    let code = 0;
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        code = 1;
        logger.error({ err }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
