import { REST, RESTEvents, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { InteractionWebhook } from '../../../src/adapters/discord/InteractionWebhook.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { DISCORD_IDS, FakeDiscord } from '../../fakes/FakeDiscord.ts';

/** 60 interactions, more than discord.js's 50 requests per second. */
const ref = (i: number) => ({ applicationId: DISCORD_IDS.app, token: `itok-${i}` });
const message = (i: number) => ({ content: `answer ${i} <@&1> @everyone`, embeds: [], components: [] });

describe('InteractionWebhook', () => {
  let fake: FakeDiscord;
  afterEach(() => fake?.close());

  it('edits 60 deferred replies at once without waiting on the global rate limit', async () => {
    fake = await FakeDiscord.start();
    const lines: string[] = [];
    const webhook = new InteractionWebhook({
      apiUrl: fake.apiUrl,
      logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
    });
    try {
      const sent = await Promise.all(
        Array.from({ length: 60 }, (_, i) => webhook.editOriginal(ref(i), message(i))),
      );
      expect(new Set(sent.map((m) => m.id)).size).toBe(60);
      expect(lines.filter((l) => l.includes('rate limited'))).toEqual([]);
      const edits = fake.callsMatching(/^PATCH \/webhooks\/\d+\/itok-\d+\/messages\/@original$/);
      expect(edits).toHaveLength(60);
      for (const e of edits) {
        expect(e.authorization).toBeUndefined(); // the token in the path is the credential
        expect(e.body?.allowed_mentions).toEqual({ parse: [] });
      }
      const followUp = await webhook.followUp(ref(0), message(0), true);
      const [posted] = fake.callsMatching(/^POST \/webhooks\/\d+\/itok-0$/);
      expect(followUp.id).toBeDefined();
      expect(posted?.body?.flags).toBe(64);
    } finally {
      webhook.close();
    }
  });

  it("is what discord.js's own REST does not do: there the 51st request waits for the next second", async () => {
    fake = await FakeDiscord.start();
    const rest = new REST({ api: fake.apiUrl, retries: 0 });
    let globalWaits = 0;
    rest.on(RESTEvents.RateLimited, (info) => {
      if (info.global) globalWaits++;
    });
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          rest.patch(Routes.webhookMessage(DISCORD_IDS.app, `itok-${i}`, '@original'), {
            body: message(i),
            auth: false,
          }),
        ),
      );
      expect(globalWaits).toBeGreaterThan(0);
    } finally {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    }
  });
});
