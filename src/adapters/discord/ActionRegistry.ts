/**
 * Remembers what each Discord button means: custom_ids are capped at 100 characters, conversations are not.
 * Given a file, the registry survives a restart: it loads the file at start and writes it behind (atomically, one
 * write at a time), so a button on a message posted before the restart still works. Given a shared store (Redis,
 * with bot replicas), every action is also put there, so a click that reaches another replica finds it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SharedActions } from '../../core/ports.ts';

/** What a TensorDuel button does when clicked. */
export type ButtonAction =
  | { kind: 'choice'; conversationId: string; value: string; ephemeral: boolean }
  | { kind: 'feedback'; conversationId: string; entryId: string; question: string };

const PREFIX = 'td';

/** A bounded map from short custom_id keys to button actions (oldest forgotten first), optionally kept in a file. */
export class ActionRegistry {
  readonly #actions = new Map<string, ButtonAction>();
  readonly #capacity: number;
  // Unique across processes and restarts: a key minted before a restart must not be minted again after it.
  readonly #salt = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
  readonly #file: string | undefined;
  readonly #onError: (err: unknown) => void;
  readonly #shared: SharedActions<ButtonAction> | undefined;
  /** Puts to the shared store not yet answered. */
  readonly #sharing = new Set<Promise<void>>();
  #next = 0;
  #writing: Promise<void> = Promise.resolve();
  #pending = false;

  constructor(
    options:
      | {
          capacity?: number;
          file?: string;
          onError?: (err: unknown) => void;
          /** Where other replicas find this replica's actions (and this one theirs). */
          shared?: SharedActions<ButtonAction> | undefined;
        }
      | number = {},
  ) {
    const o = typeof options === 'number' ? { capacity: options } : options;
    this.#capacity = o.capacity ?? 50_000;
    this.#file = o.file;
    this.#onError = o.onError ?? (() => {});
    this.#shared = o.shared;
    if (this.#file) {
      try {
        const saved = JSON.parse(readFileSync(this.#file, 'utf8')) as unknown;
        if (Array.isArray(saved))
          for (const item of saved.slice(-this.#capacity))
            if (Array.isArray(item) && typeof item[0] === 'string' && isAction(item[1]))
              this.#actions.set(item[0], item[1]);
      } catch (err) {
        // No file yet is the normal first start; an unreadable one is reported and replaced on the next write.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#onError(err);
      }
    }
  }

  /** Stores `action`; returns the key to embed in custom_ids. */
  add(action: ButtonAction): string {
    const key = `${this.#salt}${(this.#next++).toString(36)}`;
    this.#actions.set(key, action);
    if (this.#actions.size > this.#capacity) {
      const oldest = this.#actions.keys().next().value;
      if (oldest !== undefined) this.#actions.delete(oldest);
    }
    this.#persist();
    this.#share(key, action);
    return key;
  }

  /** The action behind `key`, if this replica still remembers it. */
  get(key: string): ButtonAction | undefined {
    return this.#actions.get(key);
  }

  /** The action behind `key`, from this replica or else the shared store (a button another replica drew). */
  async lookup(key: string): Promise<ButtonAction | undefined> {
    const own = this.#actions.get(key);
    if (own || !this.#shared) return own;
    try {
      const found = await this.#shared.get(key);
      return isAction(found) ? found : undefined;
    } catch {
      // Redis down (its client logs the outage once): only this replica's own buttons answer meanwhile.
      return undefined;
    }
  }

  /**
   * Resolves when every action added so far is on disk and in the shared store (each at once without one); await
   * it before posting buttons, so a click on any replica finds them.
   */
  async flush(): Promise<void> {
    await Promise.all([this.#writing, ...this.#sharing]);
  }

  #share(key: string, action: ButtonAction): void {
    if (!this.#shared) return;
    // A failed put (Redis down) leaves the button working on this replica only.
    const put = this.#shared.put(key, action).catch(() => undefined);
    this.#sharing.add(put);
    void put.finally(() => this.#sharing.delete(put));
  }

  #persist(): void {
    const file = this.#file;
    if (!file || this.#pending) return;
    // Adds in one burst (the buttons of one reply) share one write.
    this.#pending = true;
    this.#writing = this.#writing.then(async () => {
      this.#pending = false;
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify([...this.#actions]));
        await rename(tmp, file);
      } catch (err) {
        this.#onError(err);
      }
    });
  }
}

function isAction(v: unknown): v is ButtonAction {
  const a = v as Partial<Record<string, unknown>> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.conversationId === 'string' &&
    ((a.kind === 'choice' && typeof a.value === 'string') ||
      (a.kind === 'feedback' && typeof a.entryId === 'string' && typeof a.question === 'string'))
  );
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
