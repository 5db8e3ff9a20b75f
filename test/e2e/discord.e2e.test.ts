/** Discord end to end: gateway events through discord.js to the real advisor and back over REST. */
import { describe, expect, it } from 'vitest';
import type { RunningPlatforms } from '../../src/app/start-platforms.ts';
import type { Choice } from '../../src/core/types.ts';
import { DISCORD_IDS, type DiscordRestCall, FakeDiscord } from '../fakes/FakeDiscord.ts';
import { waitFor } from '../fakes/util.ts';
import { type E2EAdvisor, FAST_RETRY, leakedSecrets, SECRETS, useE2EAdvisor } from './boot.ts';

const REPLIES = /^POST \/channels\/\d+\/messages$/;

interface Body {
  embeds?: Array<{ description?: string; fields?: Array<{ name: string; value: string }> }>;
  components?: Array<{ components: Array<{ label?: string; emoji?: { name: string }; custom_id: string }> }>;
  message_reference?: { message_id: string };
}

const body = (c: DiscordRestCall | undefined) => (c?.body ?? {}) as Body;
const shown = (c: DiscordRestCall | undefined) => JSON.stringify(body(c).embeds ?? []);

describe('Discord end to end', () => {
  let fake: FakeDiscord;
  let running: RunningPlatforms | undefined;

  const advisor = useE2EAdvisor(async () => {
    await running?.stop();
    running = undefined;
    await fake?.close();
  });

  const start = async (retry?: typeof FAST_RETRY) => {
    fake = await FakeDiscord.start();
    running = await advisor.start(
      { DISCORD_TOKEN: SECRETS.DISCORD_TOKEN, DISCORD_API_URL: fake.apiUrl },
      retry,
    );
    expect(running.names).toEqual(['discord']);
  };

  it('answers a mention as a reply, with the source as an embed field and working suggestion buttons', async () => {
    await start();
    const probe = await ambiguousQuestion(advisor);
    const id = fake.sendMessage({ content: probe.question });
    const [question] = await fake.waitForCalls(REPLIES, 1);
    expect(body(question).message_reference?.message_id).toBe(id);
    expect(question?.authorization).toBe(`Bot ${SECRETS.DISCORD_TOKEN}`);
    const choice = body(question)
      .components?.flatMap((r) => r.components)
      .find((b) => b.label === probe.choice.label);
    expect(choice).toBeDefined();

    fake.clickButton(question?.response ?? {}, choice?.custom_id ?? '');
    const [edit] = await fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    const [deferred] = fake.callsMatching(/callback$/);
    expect(deferred?.body).toMatchObject({ type: 5 }); // acknowledged before the work
    expect(body(edit).embeds?.[0]?.description ?? '').not.toBe('');
    const source = body(edit).embeds?.[0]?.fields?.[0];
    expect(source?.name).toMatch(/^Sources?$/);
    expect(source?.value).toContain(`(\`${probe.entryId}\`)`);
  });

  it('answers a question behind @everyone, @here, a role mention and custom emoji as it answers it bare', async () => {
    await start();
    const question = 'which has the bigger community?';
    fake.sendMessage({ content: question });
    const [bare] = await fake.waitForCalls(REPLIES, 1);
    fake.sendMessage({
      content: `@everyone @here <@&${DISCORD_IDS.role}> <:hmm:700000000000000001> ${question}`,
    });
    const [, marked] = await fake.waitForCalls(REPLIES, 2);
    const source = (c: DiscordRestCall | undefined) => body(c).embeds?.[0]?.fields?.[0]?.value;
    expect(source(bare)).toBeDefined();
    expect(source(marked)).toBe(source(bare));
    expect(shown(marked)).not.toContain('outside what I can answer');
  });

  it('offers related topics after a clear answer; a click answers that topic', async () => {
    await start();
    fake.sendMessage({ content: 'which has the bigger community?' });
    const [answer] = await fake.waitForCalls(REPLIES, 1);
    const related = (body(answer).components ?? [])
      .flatMap((r) => r.components)
      .filter((b) => b.label?.startsWith('↪ '));
    expect(related.length).toBeGreaterThanOrEqual(1);
    expect(related.length).toBeLessThanOrEqual(3);
    fake.clickButton(answer?.response ?? {}, related[0]?.custom_id ?? '');
    const [edit] = await fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    expect(body(edit).embeds?.[0]?.fields?.[0]?.name).toMatch(/^Sources?$/);
    expect(shown(edit)).not.toBe(shown(answer));
  });

  it('answers /ask after deferring, and a long code answer stays within the limits', async () => {
    await start();
    fake.sendCommand('ask', { question: 'show me a pytorch training loop' });
    const [edit] = await fake.waitForCalls(/^PATCH \/webhooks\/.+\/@original$/, 1);
    expect(fake.callsMatching(/callback$/)[0]?.body).toMatchObject({ type: 5 });
    const description = body(edit).embeds?.[0]?.description ?? '';
    expect(description).toContain('```python');
    expect(description.length).toBeLessThanOrEqual(4096);
  });

  it('reconnects after the gateway connection drops and answers again', async () => {
    await start();
    fake.sendMessage({ content: 'what is tensorflow' });
    await fake.waitForCalls(REPLIES, 1);
    fake.dropConnection();
    await fake.waitForSessions(2, 20_000);
    expect(fake.opcodes).toContain(6); // it resumed the session
    fake.sendMessage({ content: 'what is pytorch' });
    const [, after] = await fake.waitForCalls(REPLIES, 2, 20_000);
    expect(shown(after)).toContain('PyTorch');
    expect(advisor.logs.join('\n')).toContain('discord: gateway session resumed');
  });

  it('retries a 429 (after its Retry-After) and a 500 with backoff, logging each retry, then delivers', async () => {
    await start();
    fake.failNext(/^POST \/channels\/\d+\/messages$/, { status: 429, retryAfter: 0.3 }, { status: 500 });
    fake.sendMessage({ content: 'what is keras' });
    await fake.waitForCalls(REPLIES, 1);
    const retries = advisor
      .parsedLogs()
      .filter((l) => l.msg === 'platform call failed, retrying' && l.platform === 'discord');
    expect(retries.map((l) => String(l.reason).replace(/\d+ ms/, 'N ms'))).toEqual([
      'rate limited (HTTP 429, retry after N ms)',
      'HTTP 500',
    ]);
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(300);
  });

  it('reports a reply it could not deliver in the log, never the token, and keeps serving', async () => {
    await start(FAST_RETRY);
    fake.failNext(REPLIES, { status: 500 }, { status: 500 }, { status: 503 });
    fake.sendMessage({ content: 'what is keras' });
    const failure = await waitFor(
      () => advisor.parsedLogs().find((l) => l.msg === 'discord: could not deliver reply'),
      'the delivery failure in the log',
    );
    expect(failure).toMatchObject({ level: 'error', reason: 'HTTP 503', attempts: 3 });
    fake.sendMessage({ content: 'what is tensorflow' });
    const [post] = await fake.waitForCalls(REPLIES, 1);
    expect(shown(post)).toContain('TensorFlow');
    expect(leakedSecrets(JSON.stringify(fake.calls.map((c) => c.body)))).toEqual([]);
  });

  it('ignores its own echoed messages and other bots', async () => {
    await start();
    fake.sendMessage({ content: 'You said something', authorId: DISCORD_IDS.bot });
    fake.sendMessage({ content: 'hi', authorId: DISCORD_IDS.otherBot, authorBot: true });
    fake.sendMessage({ content: 'what is tensorflow' });
    await fake.waitForCalls(REPLIES, 1);
    expect(fake.callsMatching(REPLIES)).toHaveLength(1);
  });
});

/**
 * A question the real advisor answers with "Did you mean", its first choice and the entry that choice answers
 * from. Found by asking the advisor, so the test follows the knowledge base's tuning instead of pinning a phrase.
 */
async function ambiguousQuestion(
  advisor: E2EAdvisor,
): Promise<{ question: string; choice: Choice; entryId: string }> {
  const candidates = ['which is better?', 'tell me about performance', 'tensorflow pytorch', 'performance'];
  for (const question of candidates) {
    const ask = (text: string) =>
      advisor.handle.advisor.handle({ conversationId: `probe:${question}`, userId: 'probe', text });
    const reply = await ask(question);
    const choice = reply.choices[0];
    if (reply.choices.length < 2 || !choice) continue;
    const entryId = (await ask(choice.value)).feedback?.entryId;
    if (entryId) return { question, choice, entryId };
  }
  throw new Error(`none of ${candidates.join(' | ')} gets "Did you mean" from the advisor any more`);
}
