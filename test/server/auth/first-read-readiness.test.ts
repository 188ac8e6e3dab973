import { FirstReadReadiness } from '../../../server/auth/delegated/first-read-readiness.js';

describe('FirstReadReadiness', () => {
  it('fails, with the last failure, until the first read, and stays ready after', async () => {
    const readiness = new FirstReadReadiness('the-check', 'the thing');
    expect(readiness.healthCheck.name).toBe('the-check');
    await expect(readiness.healthCheck.check()).rejects.toThrow(/^the thing has not been read yet$/);
    readiness.recordFailure('HTTP 500');
    readiness.recordFailure('HTTP 503');
    await expect(readiness.healthCheck.check()).rejects.toThrow(
      /^the thing has not been read yet: HTTP 503$/,
    );

    readiness.markRead();
    await readiness.ready;
    readiness.recordFailure('HTTP 500');
    await expect(readiness.healthCheck.check()).resolves.toBeUndefined();
  });
});
