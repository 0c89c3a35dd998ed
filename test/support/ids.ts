import { randomBytes } from 'node:crypto';

/** A short random suffix so parallel and repeated runs never share topics, queues or databases. */
export const uniqueId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
