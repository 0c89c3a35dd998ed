import { scheduleCheckPendingRequests } from './kafkajs-idle-loop-fix';

function queue(pending: unknown[], throttledUntil = -1) {
  return {
    throttledUntil,
    throttleCheckTimeoutId: null as NodeJS.Timeout | null,
    pending,
    checkPendingRequests: jest.fn(),
  };
}

describe('kafkajs idle request-queue fix', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer on an idle, unthrottled connection (kafkajs 2.2.4 re-armed one every 1 ms)', () => {
    const q = queue([]);
    scheduleCheckPendingRequests.call(q);
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('checks pending requests soon when some wait', () => {
    const q = queue([{}]);
    scheduleCheckPendingRequests.call(q);
    jest.advanceTimersByTime(10);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('waits for the end of a broker throttle', () => {
    const q = queue([], Date.now() + 500);
    scheduleCheckPendingRequests.call(q);
    jest.advanceTimersByTime(499);
    expect(q.checkPendingRequests).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it('is what kafkajs uses', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: object };
    expect(RequestQueue.prototype).toHaveProperty('scheduleCheckPendingRequests', scheduleCheckPendingRequests);
  });
});
