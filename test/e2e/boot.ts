/**
 * End-to-end boot: the REAL advisor (buildAdvisor) and the real entry point (startPlatforms), configured
 * through environment settings the way a user would, with logs captured for inspection.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { RetryPolicy } from '../../src/adapters/shared/retry.ts';
import { type RunningPlatforms, startPlatforms } from '../../src/app/start-platforms.ts';
import { type Config, loadConfig, secretValues } from '../../src/config.ts';
import type { AppStore, Logger } from '../../src/core/ports.ts';
import { type AdvisorHandle, buildAdvisor } from '../../src/infra/build-advisor.ts';
import { createLogger } from '../../src/infra/logger.ts';

/** Secret values used by the e2e tests; none may ever show up in a log line or a reply. */
export const SECRETS = {
  SLACK_BOT_TOKEN: 'xoxb-e2e-bot-token-7f3a9c',
  SLACK_SIGNING_SECRET: 'e2e-signing-secret-4b1d8e',
  SLACK_APP_TOKEN: 'xapp-1-e2e-app-token-92c0aa',
  DISCORD_TOKEN: 'e2e-discord-token-5e6f7a8b',
} as const;

/** Fast backoff, so exhausting retries takes milliseconds in tests. */
export const FAST_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };

/** One real advisor per test file (the model loads once), on a throwaway database. */
export class E2EAdvisor {
  handle!: AdvisorHandle;
  dir!: string;
  readonly logs: string[] = [];

  /** Loads the model and the knowledge base. */
  async load(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'tensorduel-e2e-'));
    const config = this.config({});
    this.handle = await buildAdvisor(config, this.logger(config));
  }

  /** Settings from `env` (plus a database in the temp dir), parsed like the CLI parses the environment. */
  config(env: Record<string, string>): Config {
    return loadConfig({ TENSORDUEL_DB_FILE: join(this.dir, 'db.json'), LOG_LEVEL: 'debug', ...env });
  }

  /** A logger like the CLI's (secrets from the config redacted) that keeps every line. */
  logger(config: Config): Logger {
    return createLogger({
      level: 'debug',
      secrets: secretValues(config),
      write: (line) => this.logs.push(line),
    });
  }

  /** Starts the platforms configured by `env` on the real advisor (and its store, unless another is given). */
  async start(
    env: Record<string, string>,
    retry?: RetryPolicy,
    store: Pick<AppStore, 'queue' | 'results'> = this.handle.store,
  ): Promise<RunningPlatforms> {
    const config = this.config(env);
    return startPlatforms(config, this.handle.advisor, this.logger(config), {
      store,
      ...(retry ? { retry } : {}),
      // No progress throttle: every progress update is an edit, so what a test sees does not depend on how fast a
      // run is. The throttle itself is tested on a fake clock (test/core/jobs/ProgressThrottle.test.ts).
      statusIntervalMs: 0,
    });
  }

  /** Log lines parsed. */
  parsedLogs(): Array<Record<string, unknown>> {
    return this.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Disposes of the model and the temp dir. */
  async close(): Promise<void> {
    await this.handle?.close();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Every secret value found in `text`. */
export function leakedSecrets(text: string): string[] {
  return Object.values(SECRETS).filter((s) => text.includes(s));
}

/**
 * Registers a suite's lifecycle around one real advisor: loaded once, closed at the end, and after each test
 * `cleanup` (stop the bot, close the fake) then the check that no secret reached the log.
 * @example const advisor = useE2EAdvisor(async () => { await running?.stop(); await fake?.close(); });
 */
export function useE2EAdvisor(cleanup: () => Promise<void>): E2EAdvisor {
  const advisor = new E2EAdvisor();
  beforeAll(() => advisor.load());
  afterAll(() => advisor.close());
  afterEach(async () => {
    await cleanup();
    // Whatever happened in the test, no secret reached the log.
    expect(leakedSecrets(advisor.logs.join('\n'))).toEqual([]);
    advisor.logs.length = 0;
  });
  return advisor;
}
