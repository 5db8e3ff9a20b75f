/**
 * Prints a sample of training-time augmentation (src/core/nlu/augment.ts) over the data files:
 * `npx tsx scripts/augment.ts [seed] [per-file]` (defaults: seed 1, 2 utterances per intent file).
 */

import { augment } from '../src/core/nlu/augment.ts';
import { readDataDir } from '../src/infra/data-files.ts';

const seed = Number(process.argv[2] ?? 1);
const perFile = Number(process.argv[3] ?? 2);
if (!Number.isInteger(seed) || !Number.isInteger(perFile) || perFile < 1) {
  console.error('usage: npx tsx scripts/augment.ts [seed:int] [per-file:int>=1]');
  process.exit(2);
}

/** Every `step`-th item from a seeded offset, so a different seed shows different utterances. */
const sample = <T>(xs: readonly T[], n: number): T[] => {
  if (xs.length === 0) return [];
  const step = Math.max(1, Math.floor(xs.length / n));
  const start = Math.abs(seed * 7919) % xs.length;
  return Array.from({ length: Math.min(n, xs.length) }, (_, i) => xs[(start + i * step) % xs.length] as T);
};

const show = (label: string, texts: readonly string[]) => {
  for (const text of texts) {
    console.log(`[${label}] ${text}`);
    for (const v of augment(text, seed)) console.log(`    → ${v}`);
  }
};

// Raw files, not the validated loaders: the sample works even while a new intent awaits the schema.
for (const { file, data } of await readDataDir('intents')) {
  const d = data as { intent?: string; examples?: string[] };
  show(d.intent ?? file, sample(d.examples ?? [], perFile));
}
const alternates: string[] = [];
for (const { data } of await readDataDir('knowledge'))
  for (const e of (data as { entries?: Array<{ alternates?: string[] }> }).entries ?? [])
    alternates.push(...(e.alternates ?? []));
show('knowledge', sample(alternates, perFile * 2));
