/** `npm run discord:register` as a user runs it: a child process configured by environment variables. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { DISCORD_IDS, FakeDiscord } from '../fakes/FakeDiscord.ts';
import { SECRETS } from './boot.ts';

const run = promisify(execFile);
let fake: FakeDiscord;
afterEach(() => fake?.close());

it('registers the slash commands in the configured guild', async () => {
  fake = await FakeDiscord.start();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/discord-register.ts'], {
    env: {
      PATH: process.env.PATH,
      DISCORD_TOKEN: SECRETS.DISCORD_TOKEN,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_GUILD_ID: DISCORD_IDS.guild,
      LOG_LEVEL: 'warn',
    },
  });
  expect(stdout).toContain(
    `Registered /ask, /recommend, /bench, /cancel, /results, /compare, /help, /report, "Ask TensorDuel" (message menu) (guild ${DISCORD_IDS.guild}).`,
  );
  expect(fake.callsMatching(/^PUT /)[0]?.path).toBe(
    `/applications/${DISCORD_IDS.app}/guilds/${DISCORD_IDS.guild}/commands`,
  );
});

// A developer's .env would supply the token.
it.skipIf(existsSync('.env'))('explains a missing token', async () => {
  const err = (await run(process.execPath, ['--import', 'tsx', 'scripts/discord-register.ts'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn' },
  }).catch((e: unknown) => e)) as { code: number; stderr: string };
  expect(err.code).toBe(2);
  expect(err.stderr).toContain('discord:register needs DISCORD_TOKEN');
});
