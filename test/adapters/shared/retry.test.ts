import { describe, expect, it } from 'vitest';
import { DeliveryError, withRetry } from '../../../src/adapters/shared/retry.ts';
import { createLogger } from '../../../src/infra/logger.ts';

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 250 };

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sleeps: number[] = [];
  const logger = createLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l)) });
  const options = {
    policy,
    logger,
    fields: { platform: 'test' },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    random: () => 1,
    classify: (err: unknown) => {
      const status = (err as { status: number }).status;
      return {
        retry: status >= 500 || status === 429,
        reason: `HTTP ${status}`,
        ...(status === 429 ? { retryAfterMs: 1000 } : {}),
      };
    },
  };
  return { lines, sleeps, options };
}

describe('withRetry', () => {
  it('retries with doubling backoff, honours Retry-After, and logs each retry', async () => {
    const { lines, sleeps, options } = setup();
    const failures = [{ status: 429 }, { status: 500 }, { status: 503 }];
    const result = await withRetry(
      'post',
      async () => {
        const f = failures.shift();
        if (f) throw f;
        return 'ok';
      },
      options,
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([1000, 200, 250]);
    expect(lines.map((l) => [l.level, l.reason, l.attempt])).toEqual([
      ['warn', 'HTTP 429', 1],
      ['warn', 'HTTP 500', 2],
      ['warn', 'HTTP 503', 3],
    ]);
  });

  it('gives up after the last retry with a DeliveryError that says why', async () => {
    const { sleeps, options } = setup();
    const err = await withRetry('post', async () => Promise.reject({ status: 500 }), options).catch((e) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ reason: 'HTTP 500', attempts: 4 });
    expect(sleeps).toHaveLength(3);
  });

  it('does not retry what cannot succeed', async () => {
    const { sleeps, options } = setup();
    let calls = 0;
    const err = await withRetry(
      'post',
      async () => {
        calls++;
        throw { status: 400 };
      },
      options,
    ).catch((e) => e);
    expect(err).toMatchObject({ reason: 'HTTP 400', attempts: 1 });
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
