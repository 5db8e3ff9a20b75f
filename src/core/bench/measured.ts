/**
 * One line of this host's own measurements for an answer about training or inference speed: the advisor adds it
 * to the article's answer, so a performance answer cites the run it rests on.
 */
import { type ClaimCheck, claimChecks } from './claims.ts';
import type { BenchResultDoc } from './result.ts';

const VERDICT_WORDS: Partial<Record<ClaimCheck['verdict'], string>> = {
  consistent: 'consistent with the article',
  contrary: 'contrary to the article',
  inconclusive: 'too close to call',
};

function deviceOf(doc: BenchResultDoc): string {
  const cuda = doc.rows.some((r) => r.status === 'ok' && r.device === 'cuda');
  return cuda ? (doc.environment.gpus[0]?.name ?? 'GPU') : 'CPU';
}

/** Why a check is not comparable, short: "TensorFlow.js (wasm) vs PyTorch", or the devices. */
function notComparableWhy(check: ClaimCheck): string {
  if (!check.sides) return 'the two sides differ';
  const devices = /different devices \(([^)]*)\)/.exec(check.text)?.[1];
  return devices ? `different devices (${devices})` : `${check.sides.fast} vs ${check.sides.slow}`;
}

function clause(check: ClaimCheck): string | null {
  if (!check.summary) return null;
  if (check.verdict === 'not-comparable')
    return `${check.summary}; not comparable: ${notComparableWhy(check)}`;
  if (check.verdict === 'mixed') return `${check.summary} (mixed)`;
  const words = VERDICT_WORDS[check.verdict];
  return words ? `${check.summary} (${words})` : check.summary;
}

/**
 * The measured line for `aspect` from the newest completed result that measured it, or null when none did
 * (the advisor then offers a Start benchmark button).
 * @example
 * measuredLine(history, 'training');
 * // 'Measured here on 2026-12-01 (run `bench-20261201T150102-k3x9a1`, CPU): TensorFlow (Python) trained the MLP 1.9× faster than PyTorch (consistent with the article); …'
 */
export function measuredLine(
  results: readonly BenchResultDoc[],
  aspect: 'training' | 'inference',
): string | null {
  const newestFirst = [...results].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const doc of newestFirst) {
    if (!doc.completed) continue;
    const clauses = claimChecks(doc)
      .filter((c) => c.topic === aspect)
      .map(clause)
      .filter((c): c is string => c !== null);
    if (clauses.length === 0) continue;
    return `Measured here on ${doc.createdAt.slice(0, 10)} (run \`${doc.id}\`, ${deviceOf(doc)}): ${clauses.join('; ')}.`;
  }
  return null;
}
