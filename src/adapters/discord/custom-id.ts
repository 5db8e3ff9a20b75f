/**
 * Discord's wire format of a TensorDuel button: a custom_id (at most 100 characters) that carries only the key
 * of the shared button store (../shared/ButtonStore.ts), which knows what the button means: answer buttons and
 * benchmark buttons alike.
 */

const PREFIX = 'td';

/**
 * custom_id of a choice button.
 * @example choiceId('k2x9f0qa0') // 'td:c:k2x9f0qa0'
 */
export function choiceId(key: string): string {
  return `${PREFIX}:c:${key}`;
}

/**
 * custom_id of a 👍/👎 button.
 * @example feedbackId('k2x9f0qa1', 'down') // 'td:f:k2x9f0qa1:d'
 */
export function feedbackId(key: string, vote: 'up' | 'down'): string {
  return `${PREFIX}:f:${key}:${vote === 'up' ? 'u' : 'd'}`;
}

/** What a benchmark button does: start the run its request describes, open the form with it, or cancel a run. */
export type BenchButtonKind = 'benchStart' | 'benchOptions' | 'benchCancel';
const BENCH_CODES: Record<BenchButtonKind, string> = {
  benchStart: 'bs',
  benchOptions: 'bo',
  benchCancel: 'bc',
};

/**
 * custom_id of a benchmark button (Start benchmark and Choose options… share their request's key).
 * @example benchButtonId('benchCancel', 'k2x9f0qa2') // 'td:bc:k2x9f0qa2'
 */
export function benchButtonId(kind: BenchButtonKind, key: string): string {
  return `${PREFIX}:${BENCH_CODES[kind]}:${key}`;
}

/** A parsed custom_id of ours. */
export type ParsedCustomId =
  | { kind: 'choice'; key: string }
  | { kind: 'feedback'; key: string; vote: 'up' | 'down' }
  | { kind: BenchButtonKind; key: string };

/** Parses one of our custom_ids; undefined for anything else (another app's). */
export function parseCustomId(customId: string): ParsedCustomId | undefined {
  const [prefix, kind, key, vote, ...rest] = customId.split(':');
  if (prefix !== PREFIX || !key || rest.length > 0) return undefined;
  if (kind === 'c' && vote === undefined) return { kind: 'choice', key };
  if (kind === 'f' && (vote === 'u' || vote === 'd'))
    return { kind: 'feedback', key, vote: vote === 'u' ? 'up' : 'down' };
  const bench = (Object.keys(BENCH_CODES) as BenchButtonKind[]).find((k) => BENCH_CODES[k] === kind);
  return bench && vote === undefined ? { kind: bench, key } : undefined;
}

/** True for a benchmark button's parsed custom_id. */
export function isBenchKind(kind: ParsedCustomId['kind']): kind is BenchButtonKind {
  return kind in BENCH_CODES;
}
