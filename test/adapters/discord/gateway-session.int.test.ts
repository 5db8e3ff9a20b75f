/**
 * The gateway's invalid-session path: discord.js waits a real, random 1–5 s before it identifies again, so this
 * test lives in the integration tier (the unit tier stays fast). Nothing here asserts a duration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/infra/logger.ts';
import { waitFor } from '../../fakes/util.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';
import { DiscordHarness } from './harness.ts';

describe('Discord adapter: gateway sessions', () => {
  const harness = new DiscordHarness();
  let lines: string[];
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const start = async () => {
    lines = [];
    await harness.start(new ScriptedAdvisor(), createLogger({ level: 'info', write: (l) => lines.push(l) }));
  };
  afterEach(() => harness.stop());

  it('logs a new gateway session after an invalid session, and nothing about reconnecting once stopping', async () => {
    await start();
    harness.fake.invalidateSession(false);
    await harness.fake.waitForSessions(2, 20_000);
    await waitFor(
      () => logs().some((l) => l.msg === 'discord: new gateway session ready'),
      'the session line',
    );
    const before = lines.length;
    await harness.adapter.stop();
    const after = logs()
      .slice(before)
      .map((l) => l.msg);
    expect(after).toEqual(['discord: disconnected']);
  }, 30_000);
});
