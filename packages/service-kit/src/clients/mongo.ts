import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../readiness';

/**
 * Whether a write was refused by a unique index (an `_id` or a unique field already taken): the
 * "someone got there first" that inserts used as claims, and conditional upserts, expect.
 * MongoDB says 11000 (E11000) for inserts and updates alike. FerretDB 1.24 says 11000 for
 * inserts and upserts but answers an update that would break a unique index with InternalError
 * (code 1) carrying its backend's message: "UNIQUE constraint failed" on SQLite, "duplicate key
 * value violates unique constraint ... (SQLSTATE 23505)" on PostgreSQL.
 */
export function isDuplicateKey(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === 11000) return true;
  return (
    code === 1 &&
    typeof message === 'string' &&
    (message.includes('UNIQUE constraint failed') || message.includes('(SQLSTATE 23505)'))
  );
}

export interface MongoHandle {
  readonly connection: Connection;
  /** Resolves once the first connection is made (the service starts and answers before that). */
  readonly connected: Promise<void>;
  readonly readiness: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * Opens a mongoose connection to the service's own database. The first connection is retried
 * with backoff in the background, so a service started before its database still comes up
 * (and says "not ready"); after that the driver reconnects by itself.
 */
export function connectMongo(uri: string, dbName: string, logger: Logger): MongoHandle {
  const connection = mongoose.createConnection();
  let closed = false;
  const connected = (async () => {
    for (let attempt = 1; !closed; attempt++) {
      try {
        await connection.openUri(uri, { dbName, serverSelectionTimeoutMS: 5_000 });
        logger.info({ dbName }, 'mongodb connected');
        return;
      } catch (error) {
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        logger.warn({ err: error, attempt, retryInMs: delay }, 'mongodb not reachable yet');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  })();
  return {
    connection,
    connected,
    readiness: {
      name: 'mongodb',
      async check() {
        const db = connection.db;
        if (connection.readyState !== mongoose.ConnectionStates.connected || !db) {
          throw new Error('mongodb not connected');
        }
        await db.admin().command({ ping: 1 });
      },
    },
    async close() {
      closed = true;
      await connection.close();
    },
  };
}
