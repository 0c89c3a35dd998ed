import { isServerUnavailable } from './problem';

describe('isServerUnavailable', () => {
  it('takes an update call that timed out or was cancelled for an unavailable Temporal (503, retry)', () => {
    // What @temporalio/client throws when a deadline cancels the update's call (drill: worker kill -9).
    const err = Object.assign(new Error('Call cancelled: 1 CANCELLED: Call cancelled'), {
      name: 'WorkflowUpdateRPCTimeoutOrCancelledError',
    });
    expect(isServerUnavailable(err)).toBe(true);
  });

  it('knows gRPC DEADLINE_EXCEEDED and UNAVAILABLE, also as the cause of another error', () => {
    const grpc = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'no connection', metadata: {} });
    expect(isServerUnavailable(grpc)).toBe(true);
    expect(isServerUnavailable(new Error('wrapped', { cause: grpc }))).toBe(true);
  });

  it('leaves a bug a bug (500)', () => {
    expect(isServerUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isServerUnavailable(Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: '', metadata: {} }))).toBe(
      false,
    );
  });
});
