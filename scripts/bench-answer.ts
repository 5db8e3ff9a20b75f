/**
 * `npm run bench:answer`: cold start to ready with and without the embedding cache, answer latency p50/p99
 * over N questions (default 600, drawn from eval/ and repeated), questions per second, peak RSS.
 * Each start is measured in a fresh child process so module loading and model loading are counted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const N = Number(process.argv[2] ?? 600);

if (process.env.TD_BENCH_CHILD) {
  const t0 = performance.now();
  const { loadConfig } = await import('../src/config.ts');
  const { buildAdvisor } = await import('../src/infra/build-advisor.ts');
  const handle = await buildAdvisor(loadConfig());
  const readyMs = performance.now() - t0;
  const questions: string[] = JSON.parse(process.env.TD_QUESTIONS ?? '[]');
  const latencies: number[] = [];
  let peakRss = process.memoryUsage().rss;
  const t1 = performance.now();
  for (let i = 0; i < questions.length; i++) {
    const q = questions[i] as string;
    const s = performance.now();
    await handle.advisor.handle({ conversationId: `bench:${i}`, userId: 'bench', text: q });
    latencies.push(performance.now() - s);
    if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const totalS = (performance.now() - t1) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await handle.close();
  console.log(JSON.stringify({ readyMs, latencies, totalS, peakRss, cache: handle.cacheStats }));
  process.exit(0);
}

const items = ['dev', 'fresh'].flatMap(
  (s) => (parse(readFileSync(`eval/${s}.yaml`, 'utf8')) as { items: Array<{ q: string }> }).items,
);
const questions = Array.from({ length: N }, (_, i) => (items[i % items.length] as { q: string }).q);
const dir = mkdtempSync(join(tmpdir(), 'td-bench-'));
const run = (qs: string[]) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench-answer.ts'], {
    env: {
      ...process.env,
      TD_BENCH_CHILD: '1',
      TD_QUESTIONS: JSON.stringify(qs),
      TENSORDUEL_CACHE_DIR: join(dir, 'cache'),
      TENSORDUEL_DB_FILE: join(dir, 'db.json'),
      LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as {
    readyMs: number;
    latencies: number[];
    totalS: number;
    peakRss: number;
    cache: { hits: number; misses: number };
  };
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

const cold = run([]);
const warm = run(questions);
rmSync(dir, { recursive: true, force: true });
console.log(
  `cold start, no embedding cache: ${(cold.readyMs / 1000).toFixed(2)} s (embedded ${cold.cache.misses} texts)`,
);
console.log(
  `warm start, embedding cache:    ${(warm.readyMs / 1000).toFixed(2)} s (cache hits ${warm.cache.hits}, misses ${warm.cache.misses})`,
);
console.log(`answers: ${warm.latencies.length} questions (${items.length} distinct, cycled)`);
console.log(
  `latency p50 ${pct(warm.latencies, 50).toFixed(1)} ms · p90 ${pct(warm.latencies, 90).toFixed(1)} ms · p99 ${pct(warm.latencies, 99).toFixed(1)} ms · max ${Math.max(...warm.latencies).toFixed(1)} ms`,
);
console.log(`throughput: ${(warm.latencies.length / warm.totalS).toFixed(1)} questions/s (sequential)`);
console.log(`peak RSS: ${(warm.peakRss / 1024 / 1024).toFixed(0)} MB`);
