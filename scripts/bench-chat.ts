/**
 * `npm run bench:chat [-- --n 200 --advisor real|scripted] [--save run.json] [--compare before.json]`: N concurrent mentions through the fake Slack over
 * HTTP (signed Events API requests, plus re-sent duplicates), N concurrent mentions and N concurrent `/ask`
 * interactions through the fake Discord gateway, all answered by the bot started with startPlatforms.
 * Checks every event is acknowledged within 3 s and answered exactly once; prints ack times, p50/p99/max
 * end-to-end latency (event sent → answer received by the fake) and peak RSS. Exits 1 if a check fails.
 *
 * The fakes, the bot and the advisor share this one process, so RSS and CPU include all three.
 *
 * The Slack side (the fake Web API that receives the answers, and the load generator) and the Discord side (the
 * fake gateway and REST API, and the load generator) each run in their own worker thread: that is Slack's and
 * Discord's work, not the bot's (both used to share the bot's event loop; `--discord-in-thread` puts the fake
 * Discord back on it, to compare with figures measured that way).
 * `--save` writes the figures as JSON; `--compare` prints them beside an earlier saved run in one table (run
 * this same script on an older checkout with `--save` to get the "before"). TENSORDUEL_* settings from the
 * environment apply (e.g. TENSORDUEL_EMBEDDER=use-lite, TENSORDUEL_EMBED_WORKER=false).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parse } from 'yaml';
import { startPlatforms } from '../src/app/start-platforms.ts';
import { loadConfig } from '../src/config.ts';
import type { AdvisorApi, Reply } from '../src/core/types.ts';
import { buildAdvisor } from '../src/infra/build-advisor.ts';
import { createLogger } from '../src/infra/logger.ts';
import { FakeDiscord } from '../test/fakes/FakeDiscord.ts';
import { SLACK_BOT, SlackPusher } from '../test/fakes/FakeSlack.ts';
import { waitFor } from '../test/fakes/util.ts';
import type { DiscordResults, Stamp, ToDiscordSide } from './bench-chat-discord.ts';
import type { Answer, Send, Sent, ToSlackSide } from './bench-chat-sender.ts';

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
/** A platform's side (its fake + load generator) in a worker thread running `file` (next to this script). */
function workerSide<M>(file: string) {
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL(file, import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
  const ask = <T>(m: M) =>
    new Promise<T>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(m);
    });
  return { worker, ask };
}

/** The Slack side (fake Web API + load generator) in its own thread: scripts/bench-chat-sender.ts. */
function slackSide() {
  const { worker, ask } = workerSide<ToSlackSide>('./bench-chat-sender.ts');
  return {
    start: () => ask<{ apiUrl: string }>({ type: 'start' }),
    send: async (url: string, sends: Send[], answers: number) => {
      const r = await ask<{ results?: Sent[]; answers?: Answer[]; error?: string }>({
        type: 'send',
        url,
        secret: SECRET,
        sends,
        answers,
      });
      if (!r.results || !r.answers) throw new Error(`the Slack side failed: ${r.error}`);
      return { results: r.results, answers: r.answers };
    },
    floor: async (sends: Send[]) => {
      const r = await ask<{ results?: Sent[]; error?: string }>({ type: 'floor', secret: SECRET, sends });
      if (!r.results) throw new Error(`the ack bound's run failed: ${r.error}`);
      if (r.results.some((x) => x.status !== 200))
        throw new Error("the ack bound's server did not answer 200");
      return r.results;
    },
    close: async () => {
      await ask({ type: 'close' });
      await worker.terminate();
    },
  };
}
/** The Discord side (fake gateway and REST + load generator) in its own thread: scripts/bench-chat-discord.ts. */
function discordSide() {
  const { worker, ask } = workerSide<ToDiscordSide>('./bench-chat-discord.ts');
  return {
    start: () => ask<{ apiUrl: string }>({ type: 'start' }),
    send: (mentions: string[], questions: string[]) =>
      ask<DiscordResults>({ type: 'send', mentions, questions }),
    close: async () => {
      await ask({ type: 'close' });
      await worker.terminate();
    },
  };
}

/** The fake Discord on the bot's own event loop (`--discord-in-thread`), as bench:chat ran it before. */
async function discordInThread() {
  const fake = await FakeDiscord.start();
  const tokenOf = (path: string) => /\/(itok-\d+)\//.exec(path)?.[1] ?? '';
  return {
    apiUrl: fake.apiUrl,
    send: async (mentions: string[], questions: string[]): Promise<DiscordResults> => {
      const sentMentions: Stamp[] = [];
      const commands: Stamp[] = [];
      mentions.forEach((content, i) => {
        const id = fake.nextId();
        sentMentions.push({ key: id, at: Date.now() });
        fake.sendMessage({ content, id, authorId: String(500000000000000100n + BigInt(i)) });
        const { token } = fake.sendCommand('ask', { question: questions[i] ?? content });
        commands.push({ key: token, at: Date.now() });
      });
      await waitFor(
        () =>
          fake.callsMatching(/^POST \/channels\/\d+\/messages$/).length >= mentions.length &&
          fake.callsMatching(/@original$/).length >= mentions.length,
        'Discord answers',
        300_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      return {
        mentions: sentMentions,
        commands,
        mentionAnswers: fake.callsMatching(/^POST \/channels\/\d+\/messages$/).map((c) => ({
          key: String(
            (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id,
          ),
          at: c.at,
        })),
        acks: fake.callsMatching(/callback$/).map((c) => ({ key: tokenOf(c.path), at: c.at })),
        commandAnswers: fake.callsMatching(/@original$/).map((c) => ({ key: tokenOf(c.path), at: c.at })),
      };
    },
    close: () => fake.close(),
  };
}
const question = (i: number) => (items[i % items.length] as { q: string }).q;

const dir = mkdtempSync(join(tmpdir(), 'td-bench-chat-'));
// Errors only: the adapters warn about every 429 the fake Discord sends, which is part of the test.
const logger = createLogger({ level: 'error' });
const settings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TENSORDUEL_')));
const base = { ...settings, TENSORDUEL_DB_FILE: join(dir, 'db.json'), LOG_LEVEL: 'error' };
const loadBefore = loadavg()[0] ?? 0;

let advisor: AdvisorApi;
let close = async () => {};
let model = 'scripted';
const t0 = performance.now();
if (ADVISOR === 'real') {
  const handle = await buildAdvisor(loadConfig(base), logger);
  advisor = handle.advisor;
  model = handle.embedder.modelId;
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

const slack = slackSide();
const { apiUrl: slackApiUrl } = await slack.start();
const DISCORD_IN_THREAD = process.argv.includes('--discord-in-thread');
const discord = DISCORD_IN_THREAD
  ? await discordInThread()
  : await (async () => {
      const side = discordSide();
      return { ...side, ...(await side.start()) };
    })();
const running = await startPlatforms(
  loadConfig({
    ...base,
    SLACK_BOT_TOKEN: 'xoxb-bench-0000',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slackApiUrl,
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
/** Ack times of the same Slack burst to a bare server that only answers 200 (the bound; see bench-chat-sender.ts). */
let ackFloor: number[] = [];
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
    const url = `http://127.0.0.1:${running.slack?.port}/slack/events`;
    const pusher = new SlackPusher(url, SECRET); // builds the signed bodies; the Slack side sends them
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
    const sends: Send[] = [
      ...bodies.map(({ body }) => ({ body })),
      ...bodies.filter((_, i) => i % 10 === 0).map(({ body }) => ({ body, retryNum: 1 })),
    ];
    // The bound first, while the bot is idle: the same burst to a bare server that only answers 200, three times;
    // the run with the median p99 is kept.
    const floors: number[][] = [];
    for (let i = 0; i < 3; i++) floors.push((await slack.floor(sends)).map((r) => r.ackMs));
    floors.sort((x, y) => pct(x, 99) - pct(y, 99));
    ackFloor = floors[1] ?? [];
    const { results, answers } = await slack.send(url, sends, N);
    bodies.forEach(({ ts }, i) => {
      sentAt.set(ts, (results[i] as Sent).sentAt);
    });
    if (results.some((r) => r.status !== 200)) throw new Error('an event was not acknowledged with HTTP 200');
    // The last answer's arrival, not the 500 ms the Slack side waits for would-be duplicates.
    const wallMs = Math.max(...answers.map((x) => x.at)) - Math.min(...results.map((r) => r.sentAt));
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
    const r = await discord.send(
      Array.from({ length: N }, (_, i) => question(i + 7)),
      Array.from({ length: N }, (_, i) => question(i + 13)),
    );
    const sentMentions = new Map(r.mentions.map((m) => [m.key, m.at]));
    const sentCommands = new Map(r.commands.map((m) => [m.key, m.at]));
    // The last answer's arrival, not the 500 ms the Discord side waits for would-be duplicates.
    const first = Math.min(...r.mentions.map((m) => m.at), ...r.commands.map((m) => m.at));
    const wallMs =
      Math.max(...r.mentionAnswers.map((a) => a.at), ...r.commandAnswers.map((a) => a.at)) - first;
    rows.push(summarize('Discord gateway mentions', sentMentions, [], r.mentionAnswers, wallMs));
    const acks = r.acks.map((a) => a.at - (sentCommands.get(a.key) ?? a.at));
    rows.push(summarize('Discord /ask interactions', sentCommands, acks, r.commandAnswers, wallMs));
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
const loadAfter = loadavg()[0] ?? 0;
console.log(
  `bench:chat: ${N} concurrent events per row, advisor=${ADVISOR} (${model}, ready in ${ms(readyMs)}), Node ${process.version}, load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}, fake Discord ${DISCORD_IN_THREAD ? "on the bot's thread" : 'in its own thread'}`,
);
if (ackFloor.length > 0)
  console.log(
    `ack bound: the same Slack burst to a bare TCP server in its own thread that only answers 200 (median of 3 runs): p50 ${ms(pct(ackFloor, 50))} · p99 ${ms(pct(ackFloor, 99))}`,
  );
for (const r of rows) {
  const acked = r.acks.filter((a) => a <= ACK_LIMIT_MS).length;
  const ackNote =
    r.acks.length > 0
      ? `${acked}/${r.acks.length} acked ≤3 s (p50 ${ms(pct(r.acks, 50))} · p99 ${ms(pct(r.acks, 99))} · max ${ms(Math.max(...r.acks))})${r.name.startsWith('Slack') && ackFloor.length > 0 ? ` · p99 ${(pct(r.acks, 99) / pct(ackFloor, 99)).toFixed(1)}× the bound` : ''}`
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

/** The figures of one run, as `--save` writes them. */
interface Saved {
  label: string;
  model: string;
  load: [number, number];
  peakRssMb: number;
  rows: Array<{
    name: string;
    ackP50: number | null;
    ackP99: number | null;
    ackMax: number | null;
    p50: number;
    p99: number;
    max: number;
    once: string;
  }>;
}
const saved: Saved = {
  label: arg('label', 'this run'),
  model,
  load: [loadBefore, loadAfter],
  peakRssMb: Math.round(peakRss / 1024 / 1024),
  rows: rows.map((r) => ({
    name: r.name,
    ackP50: r.acks.length > 0 ? pct(r.acks, 50) : null,
    ackP99: r.acks.length > 0 ? pct(r.acks, 99) : null,
    ackMax: r.acks.length > 0 ? Math.max(...r.acks) : null,
    p50: pct(r.latencies, 50),
    p99: pct(r.latencies, 99),
    max: Math.max(...r.latencies),
    once: `${r.answeredOnce}/${r.events}`,
  })),
};
const savePath = arg('save', '');
if (savePath) writeFileSync(savePath, `${JSON.stringify(saved, null, 2)}\n`);
const comparePath = arg('compare', '');
if (comparePath) {
  const before = JSON.parse(readFileSync(comparePath, 'utf8')) as Saved;
  const f = (x: number | null) => (x === null ? '—' : `${(x / 1000).toFixed(2)} s`);
  const ratio = (a: number | null, b: number | null) => (a && b ? `${(a / b).toFixed(1)}×` : '—');
  const lines = [
    `| row | figure | ${before.label} | ${saved.label} | before/after |`,
    '|---|---|---:|---:|---:|',
  ];
  for (const r of saved.rows) {
    const b = before.rows.find((x) => x.name === r.name);
    if (!b) continue;
    const figures: Array<[string, number | null, number | null]> = [
      ['ack p50', b.ackP50, r.ackP50],
      ['ack p99', b.ackP99, r.ackP99],
      ['ack max', b.ackMax, r.ackMax],
      ['end-to-end p50', b.p50, r.p50],
      ['end-to-end p99', b.p99, r.p99],
    ];
    for (const [what, x, y] of figures)
      if (x !== null || y !== null)
        lines.push(`| ${r.name} | ${what} | ${f(x)} | ${f(y)} | ${ratio(x, y)} |`);
    lines.push(`| ${r.name} | answered exactly once | ${b.once} | ${r.once} | |`);
  }
  lines.push(`| all | model | ${before.model} | ${saved.model} | |`);
  lines.push(
    `| all | load average (1 min) at start → end | ${before.load.map((x) => x.toFixed(2)).join(' → ')} | ${saved.load.map((x) => x.toFixed(2)).join(' → ')} | |`,
  );
  lines.push(`| all | peak RSS | ${before.peakRssMb} MB | ${saved.peakRssMb} MB | |`);
  console.log(`\n${lines.join('\n')}`);
}
console.log(ok ? 'PASS: every event acked within 3 s and answered exactly once' : 'FAIL');
process.exit(ok ? 0 : 1);
