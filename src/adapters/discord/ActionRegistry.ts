/** Remembers what each Discord button means: custom_ids are capped at 100 characters, conversations are not. */

/** What a TensorDuel button does when clicked. */
export type ButtonAction =
  | { kind: 'choice'; conversationId: string; value: string; ephemeral: boolean }
  | { kind: 'feedback'; conversationId: string; entryId: string; question: string };

const PREFIX = 'td';

/** A bounded map from short custom_id keys to button actions (oldest forgotten first). */
export class ActionRegistry {
  readonly #actions = new Map<string, ButtonAction>();
  readonly #capacity: number;
  readonly #salt = Math.random().toString(36).slice(2, 6);
  #next = 0;

  constructor(capacity = 50_000) {
    this.#capacity = capacity;
  }

  /** Stores `action`; returns the key to embed in custom_ids. */
  add(action: ButtonAction): string {
    const key = `${this.#salt}${(this.#next++).toString(36)}`;
    this.#actions.set(key, action);
    if (this.#actions.size > this.#capacity) {
      const oldest = this.#actions.keys().next().value;
      if (oldest !== undefined) this.#actions.delete(oldest);
    }
    return key;
  }

  /** The action behind `key`, if still remembered. */
  get(key: string): ButtonAction | undefined {
    return this.#actions.get(key);
  }
}

/** custom_id of a choice button (`td:c:<key>`). */
export function choiceId(key: string): string {
  return `${PREFIX}:c:${key}`;
}

/** custom_id of a feedback button (`td:f:<key>:u|d`). */
export function feedbackId(key: string, vote: 'up' | 'down'): string {
  return `${PREFIX}:f:${key}:${vote === 'up' ? 'u' : 'd'}`;
}

/** Parses one of our custom_ids; undefined for anything else. */
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
