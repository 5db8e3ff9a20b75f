/**
 * `npm run bench:answer [-- N]`: start-up time with and without the embedding cache, answer latency p50/p99
 * over N questions (default 600, drawn from eval/ and repeated), questions per second one at a time and all at
 * once (side by side), the sentence encoder's own batch-1 and batch-16 time in the same run (the physical
 * bound on answers per second), the first answer of `tensorduel start` (terminal chat, warm cache) counted
 * from launch, and peak RSS.
 * Each start is measured in a fresh child process so module loading and model loading are counted.
 * TENSORDUEL_* settings from the environment apply (e.g. TENSORDUEL_EMBEDDER=use-lite).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const N = Number(process.argv[2] ?? 600);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const median = (xs: number[]) => pct(xs, 50);

interface ChildResult {
  readyMs: number;
  /** Milliseconds spent training the heads (0: the model came from the cache). */
  trainMs: number;
  model: string;
  sequential: { latencies: number[]; totalS: number };
  concurrent: { latencies: number[]; totalS: number; batches: number; largest: number };
  /** Wall time per call, and process CPU per call (main + worker threads; the main thread is idle meanwhile). */
  encoder: { batch1Ms: number; batch16Ms: number; batch1CpuMs: number; batch16CpuMs: number };
  peakRss: number;
  cache: { hits: number; misses: number };
}

if (process.env.TD_BENCH_CHILD) {
  const t0 = performance.now();
  const { loadConfig } = await import('../src/config.ts');
  const { buildAdvisor } = await import('../src/infra/build-advisor.ts');
  const { BatchingEmbedder } = await import('../src/infra/embedders/BatchingEmbedder.ts');
  const handle = await buildAdvisor(loadConfig());
  const readyMs = performance.now() - t0;
  const questions: string[] = JSON.parse(process.env.TD_QUESTIONS ?? '[]');
  let peakRss = process.memoryUsage().rss;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const ask = (q: string, i: number) =>
    handle.advisor.handle({ conversationId: `bench:${i}`, userId: 'bench', text: q });

  // One at a time.
  const seq: number[] = [];
  let t1 = performance.now();
  for (let i = 0; i < questions.length; i++) {
    const s = performance.now();
    await ask(questions[i] as string, i);
    seq.push(performance.now() - s);
    if (i % 50 === 0) sample();
  }
  const seqS = (performance.now() - t1) / 1000;

  // All at once (a burst, as under load): each latency counts from the burst's start.
  const batcher = handle.embedder instanceof BatchingEmbedder ? handle.embedder : undefined;
  const before = batcher ? { ...batcher.stats } : undefined;
  t1 = performance.now();
  const conc = await Promise.all(
    questions.map((q, i) => ask(q, questions.length + i).then(() => performance.now() - t1)),
  );
  const concS = (performance.now() - t1) / 1000;
  sample();

  // The encoder alone, behind the batcher (the same model the answers used), at batch 1 and 16.
  const model = batcher?.inner ?? handle.embedder;
  const texts = questions.slice(0, 16);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const time = async (batch: string[], reps: number) => {
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const s = performance.now();
      await model.embed(batch);
      ts.push(performance.now() - s);
    }
    return median(ts);
  };
  await time(texts, 2);
  const one: number[] = [];
  let c0 = cpuMs();
  for (const q of texts) one.push(await time([q], 1));
  const batch1CpuMs = (cpuMs() - c0) / texts.length;
  const batch1Ms = median(one);
  c0 = cpuMs();
  const batch16Ms = await time(texts, 9);
  const batch16CpuMs = (cpuMs() - c0) / 9;
  sample();
  await handle.close();
  const result: ChildResult = {
    readyMs,
    trainMs: handle.nlu.trained ? handle.nlu.trainMs : 0,
    model: handle.embedder.modelId,
    sequential: { latencies: seq, totalS: seqS },
    concurrent: {
      latencies: conc,
      totalS: concS,
      batches: batcher && before ? batcher.stats.batches - before.batches : 0,
      largest: batcher?.stats.largest ?? 0,
    },
    encoder: { batch1Ms, batch16Ms, batch1CpuMs, batch16CpuMs },
    peakRss,
    cache: handle.cacheStats,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

const items = ['dev', 'fresh'].flatMap(
  (s) => (parse(readFileSync(`eval/${s}.yaml`, 'utf8')) as { items: Array<{ q: string }> }).items,
);
const questions = Array.from({ length: N }, (_, i) => (items[i % items.length] as { q: string }).q);
const dir = mkdtempSync(join(tmpdir(), 'td-bench-'));
const env = {
  ...process.env,
  TENSORDUEL_CACHE_DIR: join(dir, 'cache'),
  TENSORDUEL_DB_FILE: join(dir, 'db.json'),
  TENSORDUEL_LOG_FILE: join(dir, 'tensorduel.log'),
  LOG_LEVEL: 'warn',
};
const run = (qs: string[]) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench-answer.ts'], {
    env: { ...env, TD_BENCH_CHILD: '1', TD_QUESTIONS: JSON.stringify(qs) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as ChildResult;
};

/** `tensorduel start` as a user launches it (terminal chat): seconds from spawn to the first answer printed. */
const firstAnswer = () =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/tensorduel.js', 'start'], {
      env: { ...env, SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', LOG_LEVEL: 'info' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.write('is pytorch easier to learn?\n');
    let out = '';
    let done = false;
    child.stdout.on('data', (d) => {
      out += String(d);
      if (!done && out.includes('Source:')) {
        done = true;
        resolve((performance.now() - t0) / 1000);
        child.stdin.end('/quit\n');
      }
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`tensorduel start exited (${code}) before answering:\n${out}`));
    });
  });

const load0 = loadavg()[0] ?? 0;
const cold = run([]);
// The embeddings cached, the trained model not (as after a change to the data files): what training adds.
rmSync(join(dir, 'cache', 'nlu'), { recursive: true, force: true });
const retrain = run([]);
const warm = run(questions);
const first = await firstAnswer();
const load1 = loadavg()[0] ?? 0;
rmSync(dir, { recursive: true, force: true });

const ms = (x: number) => `${x.toFixed(1)} ms`;
const s = warm.sequential;
const c = warm.concurrent;
console.log(
  `bench:answer: ${warm.model}, Node ${process.version}, load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`,
);
console.log(
  `cold start, no embedding cache: ${(cold.readyMs / 1000).toFixed(2)} s (embedded ${cold.cache.misses} texts)`,
);
console.log(
  `model not cached (data changed): ${(retrain.readyMs / 1000).toFixed(2)} s, of which training the heads ${(retrain.trainMs / 1000).toFixed(2)} s (budget 5 s)`,
);
console.log(
  `warm start, embedding cache:    ${(warm.readyMs / 1000).toFixed(2)} s (cache hits ${warm.cache.hits}, misses ${warm.cache.misses}; trained ${warm.trainMs > 0 ? 'again: the cache was not used' : 'nothing'})`,
);
console.log(
  `first answer of 'tensorduel start' (terminal chat, warm cache), from launch: ${first.toFixed(2)} s`,
);
console.log(`answers: ${s.latencies.length} questions (${items.length} distinct, cycled)`);
console.log('');
console.log('|  | one at a time | all at once |');
console.log('|---|---:|---:|');
console.log(
  `| questions/s | ${(s.latencies.length / s.totalS).toFixed(1)} | ${(c.latencies.length / c.totalS).toFixed(1)} |`,
);
console.log(`| latency p50 | ${ms(pct(s.latencies, 50))} | ${ms(pct(c.latencies, 50))} |`);
console.log(`| latency p99 | ${ms(pct(s.latencies, 99))} | ${ms(pct(c.latencies, 99))} |`);
console.log(`| latency max | ${ms(Math.max(...s.latencies))} | ${ms(Math.max(...c.latencies))} |`);
console.log(`| encoder calls | ${s.latencies.length} | ${c.batches} (largest batch ${c.largest}) |`);
console.log('');
const e = warm.encoder;
console.log(
  `encoder alone (same run, same worker): batch 1 ${ms(e.batch1Ms)} (${(1000 / e.batch1Ms).toFixed(0)} sentences/s) · batch 16 ${ms(e.batch16Ms)} (${((16 * 1000) / e.batch16Ms).toFixed(0)} sentences/s)`,
);
console.log(
  `encoder CPU per call (process, all threads; less sensitive to other load): batch 1 ${ms(e.batch1CpuMs)} · batch 16 ${ms(e.batch16CpuMs)} (${ms(e.batch16CpuMs / 16)} per sentence)`,
);
console.log(`peak RSS: ${(warm.peakRss / 1024 / 1024).toFixed(0)} MB`);
