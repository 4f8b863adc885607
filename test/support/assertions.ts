/**
 * Assertions shared by the API tests: how an SDK call fails, and SIDs built to order.
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';

/** A SID with the given two-letter prefix and `fill` repeated 32 times (`sid('CR', 'a')`). */
export const sid = (prefix: string, fill: string) => prefix + fill.repeat(32);

/** `p` rejects with an error carrying this status and code (and, if given, exactly this message). */
export async function rejectsWith(p: Promise<unknown>, status: number, code: number, message?: string): Promise<void> {
  await assert.rejects(p, (err: { status: number; code: number; message: string }) => {
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

/**
 * A validator for assert.rejects: the SDK's RestException with this status and code, the matching
 * more_info link, and whatever `checkMessage` asserts about the message.
 */
export function hasError(status: number, code: number, checkMessage?: (message: string) => void) {
  return (err: unknown) => {
    assert.ok(err instanceof twilio.RestException, `expected RestException, got ${String(err)}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    assert.equal(err.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    checkMessage?.(err.message);
    return true;
  };
}
