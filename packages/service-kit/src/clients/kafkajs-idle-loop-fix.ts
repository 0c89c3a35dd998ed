/**
 * kafkajs 2.2.4 (the last release) re-arms a 1 ms timer forever on every idle connection:
 * `scheduleCheckPendingRequests` passes `throttledUntil - Date.now()` (negative when not
 * throttled) to setTimeout, whose callback schedules the next one. That burns CPU on idle
 * services and, on Node 24, prints TimeoutNegativeWarning (tulios/kafkajs#1751, fix proposed
 * in #1768). This applies the proposed fix: only arm the timer when something is pending or a
 * throttle is actually in force.
 */
interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

const CHECK_PENDING_REQUESTS_INTERVAL = 10;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: RequestQueueLike & { scheduleCheckPendingRequests(): void };
};

export function scheduleCheckPendingRequests(this: RequestQueueLike): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  } else if (scheduleAt <= 0) {
    return;
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
