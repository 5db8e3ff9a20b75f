/**
 * `npm run bench:chat [-- --n 200 --advisor real|scripted]`: N concurrent mentions through the fake Slack over
 * HTTP (signed Events API requests, plus re-sent duplicates), N concurrent mentions and N concurrent `/ask`
 * interactions through the fake Discord gateway, all answered by the bot started with startPlatforms.
 * Checks every event is acknowledged within 3 s and answered exactly once; prints ack times, p50/p99/max
 * end-to-end latency (event sent → answer received by the fake) and peak RSS. Exits 1 if a check fails.
 *
 * The fakes, the bot and the advisor share this one process, so RSS and CPU include all three.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startPlatforms } from '../src/app/start-platforms.ts';
import { loadConfig } from '../src/config.ts';
import type { AdvisorApi, Reply } from '../src/core/types.ts';
import { buildAdvisor } from '../src/infra/build-advisor.ts';
import { createLogger } from '../src/infra/logger.ts';
import { FakeDiscord } from '../test/fakes/FakeDiscord.ts';
import { FakeSlack, SLACK_BOT, SlackPusher } from '../test/fakes/FakeSlack.ts';
import { waitFor } from '../test/fakes/util.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(arg('n', '200'));
const ADVISOR = arg('advisor', 'real');
const ACK_LIMIT_MS = 3000;
const SECRET = 'bench-signing-secret';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

const items = ['dev', 'fresh'].flatMap(
  (s) => (parse(readFileSync(`eval/${s}.yaml`, 'utf8')) as { items: Array<{ q: string }> }).items,
);
const question = (i: number) => (items[i % items.length] as { q: string }).q;

const dir = mkdtempSync(join(tmpdir(), 'td-bench-chat-'));
const logger = createLogger({ level: 'warn' });
const base = { TENSORDUEL_DB_FILE: join(dir, 'db.json'), LOG_LEVEL: 'warn' };

let advisor: AdvisorApi;
let close = async () => {};
const t0 = performance.now();
if (ADVISOR === 'real') {
  const handle = await buildAdvisor(loadConfig(base), logger);
  advisor = handle.advisor;
  close = () => handle.close();
} else {
  // Fixed work per answer, to see the adapters' own overhead.
  advisor = {
    async handle(m): Promise<Reply> {
      await new Promise((r) => setTimeout(r, 5));
      return {
        intent: 'faq',
        confidence: 1,
        parts: [{ type: 'text', text: `You asked: ${m.text}` }],
        sources: [{ id: 'x', section: 'X' }],
        framework: null,
        suggestions: [],
        choices: [],
        feedback: { entryId: 'x', question: m.text },
      };
    },
    async recordFeedback() {},
  };
}
const readyMs = performance.now() - t0;

const slack = await FakeSlack.start();
const discord = await FakeDiscord.start();
const running = await startPlatforms(
  loadConfig({
    ...base,
    SLACK_BOT_TOKEN: 'xoxb-bench-0000',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_PORT: '0',
    SLACK_HOST: '127.0.0.1',
    DISCORD_TOKEN: 'bench-discord-token',
    DISCORD_API_URL: discord.apiUrl,
  }),
  advisor,
  logger,
);

interface Row {
  name: string;
  events: number;
  acks: number[];
  latencies: number[];
  answeredOnce: number;
  duplicates: number;
  missing: number;
  wallMs: number;
}
const rows: Row[] = [];
const summarize = (
  name: string,
  sentAt: Map<string, number>,
  acks: number[],
  answers: Array<{ key: string; at: number }>,
  wallMs: number,
): Row => {
  const count = new Map<string, number>();
  const latencies: number[] = [];
  for (const a of answers) {
    const n = (count.get(a.key) ?? 0) + 1;
    count.set(a.key, n);
    const sent = sentAt.get(a.key);
    if (n === 1 && sent !== undefined) latencies.push(a.at - sent);
  }
  const once = [...sentAt.keys()].filter((k) => count.get(k) === 1).length;
  const duplicates = [...count.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
  return {
    name,
    events: sentAt.size,
    acks,
    latencies,
    answeredOnce: once,
    duplicates,
    missing: sentAt.size - count.size,
    wallMs,
  };
};

try {
  // --- Slack over HTTP: N signed mentions at once, plus N/10 re-sent duplicates (X-Slack-Retry-Num). ---
  {
    const pusher = new SlackPusher(`http://127.0.0.1:${running.slack?.port}/slack/events`, SECRET);
    const sentAt = new Map<string, number>();
    const bodies = Array.from({ length: N }, (_, i) => {
      const ts = pusher.nextTs();
      return {
        ts,
        body: pusher.eventBody({
          type: 'app_mention',
          user: `U${i}`,
          channel: 'C0BENCH',
          text: `<@${SLACK_BOT.userId}> ${question(i)}`,
          ts,
        }),
      };
    });
    const start = performance.now();
    const results = await Promise.all([
      ...bodies.map(({ ts, body }) => {
        sentAt.set(ts, Date.now());
        return pusher.sendEvent(body);
      }),
      ...bodies.filter((_, i) => i % 10 === 0).map(({ body }) => pusher.sendEvent(body, { retryNum: 1 })),
    ]);
    if (results.some((r) => r.status !== 200)) throw new Error('an event was not acknowledged with HTTP 200');
    await waitFor(
      () => new Set(slack.callsTo('chat.postMessage').map((c) => c.args.thread_ts)).size >= N,
      'Slack answers',
      300_000,
    );
    const wallMs = performance.now() - start;
    await new Promise((r) => setTimeout(r, 500)); // would-be duplicates
    const answers = slack
      .callsTo('chat.postMessage')
      .map((c) => ({ key: String(c.args.thread_ts), at: c.at }));
    rows.push(
      summarize(
        'Slack HTTP mentions',
        sentAt,
        results.map((r) => r.ackMs),
        answers,
        wallMs,
      ),
    );
  }

  // --- Discord gateway: N mentions and N /ask interactions at once. ---
  {
    const sentMentions = new Map<string, number>();
    const sentCommands = new Map<string, number>();
    const start = performance.now();
    for (let i = 0; i < N; i++) {
      const id = discord.nextId();
      sentMentions.set(id, Date.now());
      discord.sendMessage({
        content: question(i + 7),
        id,
        authorId: String(500000000000000100n + BigInt(i)),
      });
      const { token } = discord.sendCommand('ask', { question: question(i + 13) });
      sentCommands.set(token, Date.now());
    }
    await waitFor(
      () =>
        discord.callsMatching(/^POST \/channels\/\d+\/messages$/).length >= N &&
        discord.callsMatching(/@original$/).length >= N,
      'Discord answers',
      300_000,
    );
    const wallMs = performance.now() - start;
    await new Promise((r) => setTimeout(r, 500));
    const mentionAnswers = discord.callsMatching(/^POST \/channels\/\d+\/messages$/).map((c) => ({
      key: String((c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id),
      at: c.at,
    }));
    rows.push(summarize('Discord gateway mentions', sentMentions, [], mentionAnswers, wallMs));
    const tokenOf = (path: string) => /\/(itok-\d+)\//.exec(path)?.[1] ?? '';
    const acks = discord
      .callsMatching(/callback$/)
      .map((c) => c.at - (sentCommands.get(tokenOf(c.path)) ?? c.at));
    const commandAnswers = discord
      .callsMatching(/@original$/)
      .map((c) => ({ key: tokenOf(c.path), at: c.at }));
    rows.push(summarize('Discord /ask interactions', sentCommands, acks, commandAnswers, wallMs));
  }
} finally {
  await running.stop();
  await slack.close();
  await discord.close();
  await close();
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}

let ok = true;
console.log(
  `bench:chat: ${N} concurrent events per row, advisor=${ADVISOR} (ready in ${ms(readyMs)}), Node ${process.version}`,
);
for (const r of rows) {
  const acked = r.acks.filter((a) => a <= ACK_LIMIT_MS).length;
  const ackNote =
    r.acks.length > 0
      ? `${acked}/${r.acks.length} acked ≤3 s (max ${ms(Math.max(...r.acks))}, p50 ${ms(pct(r.acks, 50))})`
      : 'no per-event ack on the gateway';
  console.log(
    [
      `${r.name}:`,
      `  ${ackNote}`,
      `  answered exactly once ${r.answeredOnce}/${r.events} · duplicates ${r.duplicates} · missing ${r.missing}`,
      `  end-to-end latency p50 ${ms(pct(r.latencies, 50))} · p99 ${ms(pct(r.latencies, 99))} · max ${ms(Math.max(...r.latencies))}`,
      `  all answered in ${ms(r.wallMs)} (${((r.events / r.wallMs) * 1000).toFixed(0)} answers/s)`,
    ].join('\n'),
  );
  if (acked !== r.acks.length || r.answeredOnce !== r.events || r.duplicates > 0) ok = false;
}
console.log(`peak RSS (fakes + bot + advisor in one process): ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
console.log(ok ? 'PASS: every event acked within 3 s and answered exactly once' : 'FAIL');
process.exit(ok ? 0 : 1);
