/**
 * Suggestions for Discord's option autocomplete (interaction type 4): workloads and engines while `/bench` is
 * typed, run ids while `/results`, `/compare` and `/cancel` are. Discord shows at most 25, each at most 100
 * characters; what the user submits is still checked by the command, so a suggestion is only a help.
 */
import { ENGINES } from '../../core/bench/engines.ts';
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import { describeRequest, parseBenchWords } from '../../core/jobs/bench-words.ts';

/** One suggestion: `name` is shown, `value` is put in the option. */
export interface Choice {
  name: string;
  value: string;
}

/** Discord's limits on an autocomplete answer. */
export const AUTOCOMPLETE_LIMITS = { choices: 25, length: 100 } as const;

/** A word the option takes, with the shorter words that mean it (`torch` → `pytorch`). */
export interface Word {
  value: string;
  aliases?: readonly string[];
}

/** The engines `/bench` runs, with the short names its parser also reads. */
export const ENGINE_WORDS: readonly Word[] = ENGINES.map((value) => ({
  value,
  aliases: { tensorflow: ['tf', 'tfjs'], pytorch: ['torch'], onnxruntime: ['onnx', 'ort'] }[value],
}));

/**
 * Completes the last word of a multi-word option (`mlp c` → `mlp cnn`), keeping the words before it. Nothing
 * when a word before it is not one the command reads (the command's answer then lists the valid ones), or when
 * the last word starts no known word.
 * @example wordChoices('mlp c', [{ value: 'mlp' }, { value: 'cnn' }], ['mlp', 'cnn'])
 * // [{ name: 'mlp cnn', value: 'mlp cnn' }]
 */
export function wordChoices(typed: string, words: readonly Word[], workloadIds: readonly string[]): Choice[] {
  const parts = typed
    .toLowerCase()
    .trimStart()
    .split(/[\s,]+/);
  const last = /[\s,]$/.test(typed) ? '' : (parts.pop() ?? '');
  const before = parts.filter((w) => w !== '');
  if (before.length > 0 && !parseBenchWords(before.join(' '), workloadIds).ok) return [];
  const chosen = new Set(
    before.map((w) => words.find((x) => x.value === w || x.aliases?.includes(w))?.value),
  );
  const fits = (w: Word) => w.value.startsWith(last) || (w.aliases ?? []).some((a) => a.startsWith(last));
  return words
    .filter((w) => !chosen.has(w.value) && fits(w))
    .map((w) => [...before, w.value].join(' '))
    .filter((v) => v.length <= AUTOCOMPLETE_LIMITS.length)
    .slice(0, AUTOCOMPLETE_LIMITS.choices)
    .map((v) => ({ name: v, value: v }));
}

/**
 * Run ids for an option, most recent first: those `keep` accepts whose id starts with what was typed (or whose
 * workloads, engines or device contain it). `last` adds the "newest result" choice that `/results` reads.
 * @example runChoices(runs, 'b1', (r) => r.resultId !== undefined)
 * // [{ name: 'b12 · mlp · pytorch · cpu · done', value: 'b12' }, { name: 'b1 · all workloads · … · done', value: 'b1' }]
 */
export function runChoices(
  runs: readonly BenchRun[],
  typed: string,
  keep: (run: BenchRun) => boolean,
  options: { last?: boolean } = {},
): Choice[] {
  const q = typed.trim().toLowerCase();
  const order = (r: BenchRun) => Number(r.id.replace(/\D/g, '')) || 0;
  const found = [...runs]
    .filter(keep)
    .sort((a, b) => b.createdAt - a.createdAt || order(b) - order(a))
    .filter((r) => q === '' || r.id.toLowerCase().startsWith(q) || describeRequest(r.request).includes(q))
    .map((r) => ({
      name: `${r.id} · ${describeRequest(r.request)} · ${r.status}`.slice(0, AUTOCOMPLETE_LIMITS.length),
      value: r.id,
    }));
  const last =
    options.last && 'last'.startsWith(q) ? [{ name: 'last · the newest result', value: 'last' }] : [];
  return [...last, ...found].slice(0, AUTOCOMPLETE_LIMITS.choices);
}
