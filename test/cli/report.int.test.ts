import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/ports.ts';
import { emptyState } from '../../src/core/state.ts';
import { closeRedis, connectRedis } from '../../src/infra/redis/connection.ts';
import { RedisFeedback } from '../../src/infra/state/feedback.ts';
import { eventually } from '../helpers/eventually.ts';
import { MemoryStore } from '../helpers/memory-store.ts';
import { startRedis } from '../helpers/redis.ts';

const env = {
  ...process.env,
  TENSORDUEL_DB_FILE: join(mkdtempSync(join(tmpdir(), 'td-report-')), 'db.json'),
};
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/tensorduel.js', ...args], {
    encoding: 'utf8',
    env,
    input,
    timeout: 180_000,
  });

describe('tensorduel report', () => {
  it('groups the unanswered questions that users asked, with answer rates and topics, and never stores a token', () => {
    const asked = cli(
      ['ask', '--stdin'],
      [
        'does pytorch run on apple m1?',
        'can i run torch on my m1 mac',
        'best pizza in town? my token is xoxb-1234567-abcdefgh',
        'which framework trains faster?',
      ].join('\n'),
    );
    expect(asked.status).toBe(0);
    const r = cli(['report', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.records).toBe(3);
    expect(report.unanswered[0].count).toBe(2);
    expect(report.unanswered[0].examples.join(' ')).toMatch(/m1/);
    expect(r.stdout).not.toContain('xoxb-');
    expect(report.rates.find((x: { intent: string }) => x.intent === 'faq')).toMatchObject({
      total: 1,
      answered: 1,
    });
    expect(report.topics[0].id).toBe('training-speed');
    const text = cli(['report']);
    expect(text.stdout).toMatch(/Answer rate by intent/);
  });

  it("with TENSORDUEL_REDIS_URL reports every replica's records from Redis, not this host's file", async () => {
    const redis = await startRedis();
    try {
      for (const question of ['does pytorch run on apple m1?', 'can i run torch on my m1 mac']) {
        // Two replicas, each with its own client and its own file.
        const client = connectRedis(redis.url, 'bot', silentLogger);
        await eventually(() => client.status === 'ready', 'redis client ready');
        await new RedisFeedback(client, new MemoryStore(emptyState()).feedback, {
          logger: silentLogger,
        }).record({
          reply: { intent: 'unknown', answered: false, topics: [] },
          unanswered: { at: 1, conversation: 'c', question, reason: 'out-of-scope' },
        });
        await closeRedis(client);
      }
      const r = spawnSync(process.execPath, ['bin/tensorduel.js', 'report', '--json'], {
        encoding: 'utf8',
        env: {
          ...env,
          TENSORDUEL_DB_FILE: join(mkdtempSync(join(tmpdir(), 'td-report-')), 'db.json'),
          TENSORDUEL_REDIS_URL: redis.url,
        },
        timeout: 180_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.records).toBe(2);
      expect(report.unanswered[0].count).toBe(2);
      expect(report.rates).toEqual([{ intent: 'unknown', total: 2, answered: 0, rate: 0 }]);
    } finally {
      await redis.close();
    }
  }, 200_000);

  it('refuses a bad --top with one line and exit 2', () => {
    const r = cli(['report', '--top', 'many']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
