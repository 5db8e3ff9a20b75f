import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../../../src/adapters/console/ConsoleAdapter.ts';
import { renderConsoleReply } from '../../../src/adapters/console/render.ts';
import { ScriptedAdvisor } from '../scripted-advisor.ts';

function session(options: { color?: boolean } = {}) {
  const input = new PassThrough();
  let out = '';
  const output = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const advisor = new ScriptedAdvisor();
  const adapter = new ConsoleAdapter({ advisor, input, output, ...options });
  return { input, advisor, adapter, done: adapter.start(), output: () => out };
}

describe('terminal adapter', () => {
  it('answers piped questions before exiting at the end of input', async () => {
    const s = session();
    s.input.end('first\nsecond\n');
    await s.done;
    expect(s.output()).toContain('You said: first (turn 1)');
    expect(s.output()).toContain('You said: second (turn 2)');
    expect(
      s.advisor.calls.every((c) => c.conversationId === 'console:local' && c.userId === 'console:user'),
    ).toBe(true);
  });

  it('ends on /quit and ignores what follows', async () => {
    const s = session();
    s.input.write('/quit\n');
    await s.done;
    s.input.write('after\n');
    expect(s.output()).toContain('Bye!');
    expect(s.advisor.calls).toHaveLength(0);
  });

  it('treats a number outside the options as an ordinary message', async () => {
    const s = session();
    s.input.end('ambiguous\n7\n');
    await s.done;
    expect(s.advisor.calls.map((c) => c.text)).toEqual(['ambiguous', '7']);
  });

  it('prints plain text without ANSI codes when not on a terminal, styled text when asked', () => {
    const reply = {
      intent: 'faq' as const,
      confidence: 1,
      parts: [
        { type: 'text' as const, text: '**Bold** and `code`\n- item' },
        { type: 'code' as const, language: 'python', code: 'import torch\nx = 1' },
      ],
      sources: [{ id: 'a', section: 'Speed' }],
      framework: null,
      suggestions: [],
      choices: [{ label: 'Vision', value: 'vision' }],
      feedback: { entryId: 'a', question: 'q' },
    };
    const plain = renderConsoleReply(reply, false);
    expect(plain.text).not.toContain('\u001b[');
    expect(plain.text).toContain('Bold and `code`\n  • item');
    expect(plain.text).toContain('  │ import torch\n  │ x = 1');
    expect(plain.text).toContain('Source: Speed (a)');
    expect(plain.text).toContain('\n\n  1) Vision');
    expect(plain.text).toContain('2) 👍   3) 👎');
    expect(plain.actions).toEqual([
      { kind: 'choice', value: 'vision' },
      { kind: 'feedback', vote: 'up' },
      { kind: 'feedback', vote: 'down' },
    ]);
    expect(renderConsoleReply(reply, true).text).toContain('\x1b[1mBold\x1b[22m');
  });
});
