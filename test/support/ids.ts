import { randomBytes } from 'node:crypto';

/** A short random suffix so parallel and repeated runs never share topics, queues or databases. */
export const uniqueId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

let counter = 0;
/** A ticket reference no other run uses (tests share one Temporal server and one topic). */
export const uniqueReference = (): string =>
  `SUPPORT-${Date.now()}${String(process.pid % 1000).padStart(3, '0')}${counter++}`;
