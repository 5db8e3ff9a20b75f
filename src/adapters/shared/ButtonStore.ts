/**
 * The persisted button codec of every platform: what each TensorDuel button means is kept here under a short
 * key, and the platform puts only the key on the wire (Slack's button `value`, Discord's `custom_id`, which is
 * capped at 100 characters). Given a file, the store survives a restart: it loads the file at start and writes
 * behind, so a button on a message posted before the restart still works. The file is a journal, one JSON line
 * `[key, action]` per action: a write appends only the actions new since the last one (an answer's buttons cost a
 * few hundred bytes, not a rewrite of up to `capacity` actions), and once it holds twice `capacity` lines it is
 * compacted (rewritten to a temporary file renamed over it). Given a shared store (Redis, with bot replicas), every
 * action is put there too, so a click that reaches another replica finds it. A platform part only encodes and decodes the key in its own
 * wire format (slack/render.ts, discord/custom-id.ts).
 *
 * Using it (files written by earlier releases, one JSON array `[[key, action], …]`, load as they are):
 * ```ts
 * import { ButtonStore } from '../shared/ButtonStore.ts';
 * const buttons = new ButtonStore({ file: 'data/discord-buttons.json', logger, shared });
 * const key = buttons.encode({ kind: 'choice', conversationId, value: 'compare training speed' });
 * await buttons.flush();                       // before posting: the button outlives a crash, any replica finds it
 * custom_id = `td:c:${key}`;                   // the platform's wire format
 * await buttons.lookup(key);                   // → the action, or undefined (expired / not ours)
 * ```
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChatBenchRequest } from '../../core/jobs/bench-words.ts';
import type { Logger, SharedActions } from '../../core/ports.ts';

/** What a TensorDuel button does when clicked. */
export type ButtonAction =
  /** Asks `value` in the conversation (a "Did you mean" choice or a suggested follow-up). */
  | {
      kind: 'choice';
      conversationId: string;
      value: string;
      /** Discord: answer only the clicking user. */
      ephemeral?: boolean;
      /** Slack: answer on the click's response_url (the button was under a slash-command answer). */
      respond?: boolean;
    }
  /** A 👍/👎 of the answer to `question`, from knowledge entry `entryId`. */
  | { kind: 'feedback'; conversationId: string; entryId: string; question: string; respond?: boolean }
  /** Queues the benchmark a free-text request asked for. */
  | { kind: 'benchStart'; request: ChatBenchRequest }
  /** Cancels run `runId`. */
  | { kind: 'benchCancel'; runId: string }
  /**
   * Not a button but the same need: where a Discord *reply* to a message goes, the conversation of that message.
   * Stored with {@link ButtonStore.attach} under a key naming the message (a reply carries only its id), so a reply
   * continues the conversation on any replica and after a restart, as a click does.
   */
  | { kind: 'reply'; conversationId: string };

/** Options of {@link ButtonStore}. */
export interface ButtonStoreOptions {
  /** Most actions kept (the oldest are forgotten first; their buttons then say they expired). */
  capacity?: number;
  /** Where to keep them across restarts; in memory only without it. */
  file?: string;
  /**
   * A file that cannot be read or written (the store keeps working in memory; a file it could not read is not
   * written over, and reading it is tried again on the next use).
   */
  onError?: (err: unknown) => void;
  /** Where a corrupted file set aside is reported (a warning naming it). */
  logger?: Logger;
  /** Clock of the `.corrupt-<time>` name. */
  now?: () => number;
  /**
   * Where bot replicas share actions (Redis): each action is also put there, and a key this replica does not know
   * is looked up there (`lookup`), so a click that reaches another replica works.
   */
  shared?: SharedActions<ButtonAction> | undefined;
}

const DEVICES = new Set(['cpu', 'cuda', 'auto']);

/** The longest key `encode` returns (8 characters of salt and a base-36 counter): room in a 100-character custom_id. */
export const BUTTON_KEY_MAX = 20;

/** A bounded map from short keys to button actions, optionally kept in a file. */
export class ButtonStore {
  readonly #actions = new Map<string, ButtonAction>();
  /** The key of each action by its JSON: re-rendering the same button (a status message edit) reuses it. */
  readonly #keyOf = new Map<string, string>();
  readonly #capacity: number;
  // Unique across processes and restarts: a key minted before a restart must not be minted again after it.
  readonly #salt = randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8);
  readonly #file: string | undefined;
  readonly #onError: (err: unknown) => void;
  readonly #shared: SharedActions<ButtonAction> | undefined;
  /** Puts to the shared store not answered yet. */
  readonly #sharing = new Set<Promise<void>>();
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  #next = 0;
  /** Actions encoded or attached since the last write, to append to the journal. */
  #unwritten: Array<[string, ButtonAction]> = [];
  /** Entries the journal file holds (it is compacted at twice the capacity). */
  #journalLines = 0;
  /** The next write rewrites the file whole (an earlier release's array, a set-aside file, a torn last line). */
  #compactNext = false;
  #writing: Promise<void> = Promise.resolve();
  #pending = false;
  /** False while the file could not be read (EMFILE, EACCES…): it is not written over, and read again on use. */
  #loaded = true;
  /** The read error already reported (one report per failing streak). */
  #reported = false;

  constructor(options: ButtonStoreOptions = {}) {
    this.#shared = options.shared;
    this.#capacity = options.capacity ?? 50_000;
    this.#file = options.file;
    this.#onError = options.onError ?? (() => {});
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    if (this.#file) this.#load(this.#file);
  }

  /**
   * Reads the file's actions (before any this store encoded meanwhile: those are newer). No file yet is the
   * normal first start; a corrupted one is renamed `<file>.corrupt-<time>` (kept, and named in a warning) and the
   * store starts empty; any other error leaves the file alone, to be read again on the next use.
   */
  #load(file: string): void {
    let saved: unknown[] = [];
    try {
      const text = readFileSync(file, 'utf8');
      const { entries, bad, legacy } = parseJournal(text);
      saved = entries;
      this.#journalLines = entries.length;
      // An earlier release's array, or a file not ending in a newline, is rewritten as a journal on the next write.
      this.#compactNext = legacy || (text.length > 0 && !text.endsWith('\n'));
      if (bad > 0) {
        // Kept whole beside the new one (nothing deleted); the lines that could be read still work.
        const aside = `${file}.corrupt-${this.#now()}`;
        renameSync(file, aside);
        this.#compactNext = true;
        this.#journalLines = 0;
        const error = `${bad} line(s) are not a JSON [key, action]`;
        this.#logger?.warn(
          entries.length > 0
            ? 'button state file had unreadable lines: set aside (nothing deleted); the readable buttons still work'
            : 'button state file was corrupted: set aside (nothing deleted); earlier buttons expire',
          { file, aside, error },
        );
        if (!this.#logger)
          this.#onError(
            new Error(`${file} was corrupted; set aside as ${aside}`, { cause: new SyntaxError(error) }),
          );
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#loaded = false;
        if (!this.#reported) this.#onError(err);
        this.#reported = true;
        return;
      }
    }
    const meanwhile = [...this.#actions];
    this.#actions.clear();
    this.#keyOf.clear();
    for (const item of saved.slice(-this.#capacity)) {
      if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
      const action = validAction(item[1]);
      if (action) this.#set(item[0], action);
    }
    for (const [key, action] of meanwhile) this.#set(key, action);
    const retried = !this.#loaded;
    this.#loaded = true;
    this.#reported = false;
    if (retried && meanwhile.length > 0) this.#persist();
  }

  /** Reads the file again if the last read failed. */
  #ensureLoaded(): void {
    if (!this.#loaded && this.#file) this.#load(this.#file);
  }

  /**
   * Stores `action` (or finds it stored already); returns the key to put on the button (at most
   * {@link BUTTON_KEY_MAX} characters).
   * @example buttons.encode({ kind: 'benchCancel', runId: 'b3' }) // 'k2x9f0qa0'
   */
  encode(action: ButtonAction): string {
    this.#ensureLoaded();
    const json = JSON.stringify(action);
    const known = this.#keyOf.get(json);
    if (known !== undefined && this.#actions.has(known)) return known;
    const key = `${this.#salt}${(this.#next++).toString(36)}`;
    this.#set(key, action);
    this.#unwritten.push([key, action]);
    this.#persist();
    this.#share(key, action);
    return key;
  }

  /**
   * Stores `action` under `key`, a name the platform gives (e.g. `msg:<message id>`; minted keys never contain
   * `:`), kept and shared like `encode`'s keys; `lookup(key)` finds it.
   * @example buttons.attach(`msg:${sent.id}`, { kind: 'reply', conversationId })
   */
  attach(key: string, action: ButtonAction): void {
    this.#ensureLoaded();
    const known = this.#actions.get(key);
    if (known && JSON.stringify(known) === JSON.stringify(action)) return;
    this.#set(key, action);
    this.#unwritten.push([key, action]);
    this.#persist();
    this.#share(key, action);
  }

  /** `decode`, else the shared store (a button another replica drew); undefined when neither knows `key`. */
  async lookup(key: string | undefined): Promise<ButtonAction | undefined> {
    const own = this.decode(key);
    if (own || key === undefined || !this.#shared) return own;
    try {
      return validAction(await this.#shared.get(key));
    } catch {
      // Redis down (its client logs the outage once): this replica's own buttons still answer.
      return undefined;
    }
  }

  /** The action behind `key`, if still remembered; undefined for an expired or foreign key. */
  decode(key: string | undefined): ButtonAction | undefined {
    this.#ensureLoaded();
    return key === undefined ? undefined : this.#actions.get(key);
  }

  /** Resolves when every action encoded so far is on disk and in the shared store (at once without either). */
  async flush(): Promise<void> {
    await Promise.all([this.#writing, ...this.#sharing]);
  }

  /** How many actions are remembered. */
  get size(): number {
    return this.#actions.size;
  }

  #set(key: string, action: ButtonAction): void {
    this.#actions.delete(key);
    this.#actions.set(key, action);
    // Only minted keys are reused by `encode` (many messages of one conversation attach the same action).
    if (!key.includes(':')) this.#keyOf.set(JSON.stringify(action), key);
    while (this.#actions.size > this.#capacity) {
      const [oldest, dropped] = this.#actions.entries().next().value ?? [];
      if (oldest === undefined) break;
      this.#actions.delete(oldest);
      const json = dropped && JSON.stringify(dropped);
      if (json && this.#keyOf.get(json) === oldest) this.#keyOf.delete(json);
    }
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
    // Encodes in one burst (the buttons of one reply) share one write.
    this.#pending = true;
    this.#writing = this.#writing.then(async () => {
      this.#pending = false;
      // A file that could not be read keeps its buttons: it is written once it has been read.
      if (!this.#loaded) return;
      const fresh = this.#unwritten;
      if (fresh.length === 0 && !this.#compactNext) return;
      this.#unwritten = [];
      try {
        mkdirSync(dirname(file), { recursive: true });
        if (this.#compactNext || this.#journalLines + fresh.length > 2 * this.#capacity) {
          const all = [...this.#actions];
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, journalText(all));
          await rename(tmp, file);
          this.#journalLines = all.length;
          this.#compactNext = false;
        } else {
          await appendFile(file, journalText(fresh));
          this.#journalLines += fresh.length;
        }
      } catch (err) {
        // Not on disk: the next write rewrites the file whole, so these actions are not lost from it.
        this.#compactNext = true;
        this.#onError(err);
      }
    });
  }
}

/** Journal lines of `entries`, each ending in a newline. */
function journalText(entries: ReadonlyArray<readonly [string, ButtonAction]>): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
}

/**
 * The entries of a journal file, oldest first: one `[key, action]` per line, or a line holding an earlier release's
 * whole array `[[key, action], …]` (`legacy`). `bad` counts the lines that are neither (a torn last line, garbage).
 */
export function parseJournal(text: string): { entries: unknown[][]; bad: number; legacy: boolean } {
  const entries: unknown[][] = [];
  let bad = 0;
  let legacy = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line) as unknown;
    } catch {
      bad++;
      continue;
    }
    if (Array.isArray(v) && typeof v[0] === 'string') entries.push(v);
    else if (Array.isArray(v) && v.every((item) => Array.isArray(item))) {
      legacy = true;
      entries.push(...(v as unknown[][]));
    } else bad++;
  }
  return { entries, bad, legacy };
}

/** The action in an untrusted file entry, keeping only the fields a button may carry; undefined if it is none. */
function validAction(v: unknown): ButtonAction | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const a = v as Record<string, unknown>;
  const str = (x: unknown): x is string => typeof x === 'string';
  const flags = (...names: Array<'ephemeral' | 'respond'>) =>
    Object.fromEntries(names.filter((n) => typeof a[n] === 'boolean').map((n) => [n, a[n]]));
  switch (a.kind) {
    case 'choice':
      return str(a.conversationId) && str(a.value)
        ? {
            kind: 'choice',
            conversationId: a.conversationId,
            value: a.value,
            ...flags('ephemeral', 'respond'),
          }
        : undefined;
    case 'feedback':
      return str(a.conversationId) && str(a.entryId) && str(a.question)
        ? {
            kind: 'feedback',
            conversationId: a.conversationId,
            entryId: a.entryId,
            question: a.question,
            ...flags('respond'),
          }
        : undefined;
    case 'benchStart':
      return { kind: 'benchStart', request: sanitizeBenchRequest(a.request) };
    case 'benchCancel':
      return str(a.runId) ? { kind: 'benchCancel', runId: a.runId } : undefined;
    case 'reply':
      return str(a.conversationId) ? { kind: 'reply', conversationId: a.conversationId } : undefined;
    default:
      return undefined;
  }
}

/** Keeps only the fields a chat request may set, from an untrusted value (a file, an old button value). */
export function sanitizeBenchRequest(value: unknown): ChatBenchRequest {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const strings = (x: unknown) =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string').slice(0, 10) : undefined;
  const out: ChatBenchRequest = {};
  const workloads = strings(v.workloads);
  const engines = strings(v.engines);
  if (workloads?.length) out.workloads = workloads;
  if (engines?.length) out.engines = engines;
  if (typeof v.device === 'string' && DEVICES.has(v.device)) out.device = v.device as 'cpu' | 'cuda' | 'auto';
  return out;
}
