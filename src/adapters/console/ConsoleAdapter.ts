/** The terminal adapter: a readline chat over injectable streams (the `tensorduel chat` front end). */
import { createInterface, type Interface } from 'node:readline';
import type { Logger } from '../../core/ports.ts';
import { silentLogger } from '../../core/ports.ts';
import type { AdvisorApi } from '../../core/types.ts';
import { askCore, recordFeedback } from '../shared/core-calls.ts';
import { FEEDBACK_THANKS_TEXT } from '../shared/friendly.ts';
import { type ConsoleAction, renderConsoleReply } from './render.ts';

/** Streams and identity of one terminal session. */
export interface ConsoleAdapterOptions {
  advisor: AdvisorApi;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  logger?: Logger;
  /** Defaults to `console:local`. */
  conversationId?: string;
  /** Defaults to `console:user`. */
  userId?: string;
  /** ANSI styling; defaults to whether `output` is a TTY. */
  color?: boolean;
  /** Printed before each question when interactive; defaults to `you> ` on a TTY, none otherwise. */
  prompt?: string;
  /** Printed once at start; defaults to a one-line hint. */
  greeting?: string;
}

const QUIT = new Set(['/quit', '/exit', '/q']);

/**
 * Reads questions line by line, prints the core's answers, lets the user pick options by number; `/quit`
 * or the end of input ends the session.
 * @example await new ConsoleAdapter({ advisor, input: process.stdin, output: process.stdout }).start();
 */
export class ConsoleAdapter {
  readonly #options: ConsoleAdapterOptions;
  readonly #logger: Logger;
  readonly #color: boolean;
  readonly #prompt: string;
  #rl: Interface | undefined;
  #queue: Promise<void> = Promise.resolve();
  #actions: ConsoleAction[] = [];
  #lastFeedback: { entryId: string; question: string } | undefined;
  #closed = false;
  #done: Promise<void> | undefined;

  constructor(options: ConsoleAdapterOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const tty = (options.output as { isTTY?: boolean }).isTTY === true;
    this.#color = options.color ?? tty;
    this.#prompt = options.prompt ?? (tty ? 'you> ' : '');
  }

  /** Starts the session; resolves when it ends (`/quit`, end of input, or {@link stop}). */
  start(): Promise<void> {
    if (this.#done) return this.#done;
    const rl = createInterface({
      input: this.#options.input,
      terminal: false,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    this.#rl = rl;
    this.#write(
      this.#options.greeting ?? 'TensorDuel: ask about TensorFlow vs PyTorch. Type /quit to leave.',
    );
    this.#showPrompt();
    this.#done = new Promise<void>((resolve) => {
      rl.on('line', (line) => {
        this.#queue = this.#queue.then(() => this.#onLine(line));
      });
      rl.on('close', () => {
        this.#closed = true;
        // Answer what was already typed before ending (piped input ends before the answers are ready).
        void this.#queue.then(() => resolve());
      });
    });
    return this.#done;
  }

  /** Ends the session; resolves once pending answers are printed. */
  async stop(): Promise<void> {
    this.#rl?.close();
    await this.#done;
  }

  async #onLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (QUIT.has(line.toLowerCase())) {
      this.#write('Bye!');
      this.#rl?.close();
      return;
    }
    if (line === '') return this.#showPrompt();
    const picked = /^\d+$/.test(line) ? this.#actions[Number(line) - 1] : undefined;
    if (picked?.kind === 'feedback') {
      const feedback = this.#lastFeedback;
      if (feedback) {
        const ok = await recordFeedback(
          this.#options.advisor,
          { conversationId: this.#conversationId, userId: this.#userId, ...feedback, vote: picked.vote },
          this.#logger,
          { platform: 'console' },
        );
        this.#write(ok ? FEEDBACK_THANKS_TEXT : 'Sorry, I could not save your feedback.');
      }
      // Only the rating options go away; the choices stay available.
      this.#actions = this.#actions.map((a) => (a.kind === 'feedback' ? { kind: 'choice', value: '' } : a));
      return this.#showPrompt();
    }
    const text =
      picked?.kind === 'choice' && picked.value !== '' ? picked.value : line === '/help' ? 'help' : line;
    const reply = await askCore(
      this.#options.advisor,
      { conversationId: this.#conversationId, userId: this.#userId, text },
      this.#logger,
      { platform: 'console' },
    );
    const rendered = renderConsoleReply(reply, this.#color);
    this.#actions = rendered.actions;
    this.#lastFeedback = reply.feedback;
    this.#write(rendered.text);
    this.#showPrompt();
  }

  get #conversationId(): string {
    return this.#options.conversationId ?? 'console:local';
  }

  get #userId(): string {
    return this.#options.userId ?? 'console:user';
  }

  #write(text: string): void {
    this.#options.output.write(`${text}\n`);
  }

  #showPrompt(): void {
    if (this.#prompt && !this.#closed) this.#options.output.write(this.#prompt);
  }
}
