/**
 * Discord's wire format of a TensorDuel button: a custom_id (at most 100 characters) that carries only the key
 * of the shared button store (../shared/ButtonStore.ts), which knows what the button means.
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

/** Parses one of our custom_ids; undefined for anything else (a benchmark button's, another app's). */
export function parseCustomId(
  customId: string,
): { kind: 'choice'; key: string } | { kind: 'feedback'; key: string; vote: 'up' | 'down' } | undefined {
  const [prefix, kind, key, vote] = customId.split(':');
  if (prefix !== PREFIX || !key) return undefined;
  if (kind === 'c') return { kind: 'choice', key };
  if (kind === 'f' && (vote === 'u' || vote === 'd'))
    return { kind: 'feedback', key, vote: vote === 'u' ? 'up' : 'down' };
  return undefined;
}
