/**
 * The Discord side of `npm run bench:chat`, in its own worker thread: the fake Discord (gateway and REST, which
 * receives the bot's answers) and the load generator (dispatching the mentions and `/ask` interactions). Both
 * are Discord's work, not the bot's: on the bot's event loop the fake's JSON, WebSocket frames and HTTP serving
 * counted in the bot's acknowledgement and answer times (they used to share it; the Slack side moved out first).
 * Messages: `start` → `{ apiUrl }`; `send` → {@link DiscordResults}; `close` → `{}`.
 */
import { parentPort } from 'node:worker_threads';
import { FakeDiscord } from '../test/fakes/FakeDiscord.ts';
import { waitFor } from '../test/fakes/util.ts';

/** Requests to the Discord thread. */
export type ToDiscordSide =
  | { type: 'start' }
  | { type: 'send'; mentions: string[]; questions: string[] }
  | { type: 'close' };

/** One event the load generator sent, or one request the fake received: its key, and when (epoch ms). */
export interface Stamp {
  key: string;
  at: number;
}

/** What a `send` measured: events sent, and the bot's answers and acknowledgements as the fake received them. */
export interface DiscordResults {
  mentions: Stamp[];
  commands: Stamp[];
  /** Replies to the mentions (keyed by the message they reply to). */
  mentionAnswers: Stamp[];
  /** Interaction callbacks (the acknowledgements), keyed by interaction token. */
  acks: Stamp[];
  /** Edits of the deferred replies (the answers), keyed by interaction token. */
  commandAnswers: Stamp[];
}

const port = parentPort;
if (!port) throw new Error('bench-chat-discord.ts runs only as a worker thread');
let fake: FakeDiscord | undefined;
const tokenOf = (path: string) => /\/(itok-\d+)\//.exec(path)?.[1] ?? '';
port.on('message', async (m: ToDiscordSide) => {
  if (m.type === 'start') {
    fake = await FakeDiscord.start();
    port.postMessage({ apiUrl: fake.apiUrl });
  } else if (m.type === 'send') {
    const discord = fake as FakeDiscord;
    const mentions: Stamp[] = [];
    const commands: Stamp[] = [];
    // Mentions and slash commands interleaved, all at once, as before.
    m.mentions.forEach((content, i) => {
      const id = discord.nextId();
      mentions.push({ key: id, at: Date.now() });
      discord.sendMessage({ content, id, authorId: String(500000000000000100n + BigInt(i)) });
      const { token } = discord.sendCommand('ask', { question: m.questions[i] ?? content });
      commands.push({ key: token, at: Date.now() });
    });
    const n = m.mentions.length;
    await waitFor(
      () =>
        discord.callsMatching(/^POST \/channels\/\d+\/messages$/).length >= n &&
        discord.callsMatching(/@original$/).length >= n,
      'Discord answers',
      300_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // would-be duplicates
    const results: DiscordResults = {
      mentions,
      commands,
      mentionAnswers: discord.callsMatching(/^POST \/channels\/\d+\/messages$/).map((c) => ({
        key: String(
          (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id,
        ),
        at: c.at,
      })),
      acks: discord.callsMatching(/callback$/).map((c) => ({ key: tokenOf(c.path), at: c.at })),
      commandAnswers: discord.callsMatching(/@original$/).map((c) => ({ key: tokenOf(c.path), at: c.at })),
    };
    port.postMessage(results);
  } else {
    await fake?.close();
    port.postMessage({});
    port.close();
  }
});
