/** Drives the terminal adapter through in-memory streams: lines in, printed answers out. */
import { PassThrough, Writable } from 'node:stream';
import { ConsoleAdapter } from '../../../src/adapters/console/ConsoleAdapter.ts';
import type { Logger } from '../../../src/core/ports.ts';
import type { AdvisorApi } from '../../../src/core/types.ts';
import type { ContractHarness, SeenReply, Sent } from '../contract.ts';
import { expectFencesBalanced } from '../contract.ts';

/** Parses the numbered options of a printed reply. */
function options(text: string): SeenReply['buttons'] {
  const buttons: SeenReply['buttons'] = [];
  for (const m of text.matchAll(/^\s+(\d+)\) (.+)$/gm))
    buttons.push({ label: (m[2] ?? '').trim(), id: m[1] ?? '' });
  for (const m of text.matchAll(/(\d+)\) (👍|👎)/g)) buttons.push({ label: m[2] ?? '', id: m[1] ?? '' });
  return buttons;
}

/** The terminal harness. */
export class ConsoleHarness implements ContractHarness {
  readonly hasBots = false;
  readonly hasThreads = false;
  readonly input = new PassThrough();
  readonly writes: string[] = [];
  adapter!: ConsoleAdapter;
  session!: Promise<void>;
  /** Output index at which each sent line's answers start. */
  readonly #startOf = new Map<string, number>();
  #lines = 0;

  async start(advisor: AdvisorApi, logger: Logger): Promise<void> {
    const output = new Writable({
      write: (chunk, _enc, done) => {
        this.writes.push(String(chunk));
        done();
      },
    });
    this.adapter = new ConsoleAdapter({ advisor, logger, input: this.input, output, greeting: 'hi' });
    this.session = this.adapter.start();
  }

  async stop(): Promise<void> {
    this.input.end();
    await this.session;
  }

  async mention(text: string): Promise<Sent> {
    const id = String(++this.#lines);
    this.#startOf.set(id, this.writes.length);
    this.input.write(`${text}\n`);
    return { id };
  }

  async ownMessage(): Promise<void> {}

  async otherBotMessage(): Promise<void> {}

  replies(): SeenReply[] {
    // The first write is the greeting.
    return this.writes.slice(1).map((text) => ({ text, buttons: options(text), raw: text }));
  }

  answersTo(sent: Sent): SeenReply[] {
    const start = this.#startOf.get(sent.id) ?? 0;
    return this.writes.slice(Math.max(1, start)).map((text) => ({ text, buttons: options(text), raw: text }));
  }

  async click(_reply: SeenReply, buttonId: string): Promise<void> {
    this.input.write(`${buttonId}\n`);
  }

  checkLimits(reply: SeenReply): void {
    // A terminal has no size limit; code must still be printed whole, as one framed block.
    expectFencesBalanced(reply.text);
  }
}
