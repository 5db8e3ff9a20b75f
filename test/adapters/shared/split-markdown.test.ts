import { describe, expect, it } from 'vitest';
import { splitMarkdown, truncate } from '../../../src/adapters/shared/split-markdown.ts';
import { expectFencesBalanced } from '../contract.ts';

/** Removes the fences a split adds, to compare content. */
const content = (chunks: string[]) =>
  chunks
    .join('\n')
    .split('\n')
    .filter((l) => !/^\s*```/.test(l) && l.trim() !== '')
    .join('\n');

describe('splitMarkdown', () => {
  it('keeps a short text whole', () => {
    expect(splitMarkdown('hello **world**', 100)).toEqual(['hello **world**']);
  });

  it('closes and reopens a code block split across chunks, with its language', () => {
    const code = Array.from({ length: 40 }, (_, i) => `line_${i} = ${i}`).join('\n');
    const chunks = splitMarkdown(`Intro\n\n\`\`\`python\n${code}\n\`\`\`\nOutro`, 120);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(120);
      expectFencesBalanced(c);
    }
    expect(chunks[1]?.startsWith('```python')).toBe(true);
    expect(content(chunks)).toBe(`Intro\n${code}\nOutro`);
  });

  it('cuts a single over-long line at a space, and a long word anywhere', () => {
    const words = 'word '.repeat(100).trim();
    const chunks = splitMarkdown(words, 64);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(64);
    expect(chunks.join('').replace(/\s+/g, ' ').trim()).toBe(words);
    const blob = 'x'.repeat(500);
    expect(splitMarkdown(blob, 64).join('')).toBe(blob);
  });

  it('cuts an over-long code line inside a block and keeps every piece fenced', () => {
    const chunks = splitMarkdown(`\`\`\`\n${'y'.repeat(300)}\n\`\`\``, 80);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(80);
      expectFencesBalanced(c);
    }
    expect(content(chunks).replace(/\n/g, '')).toBe('y'.repeat(300));
  });

  it('closes a code block the input left open', () => {
    const chunks = splitMarkdown(`\`\`\`js\n${'a();\n'.repeat(50)}`, 64);
    for (const c of chunks) expectFencesBalanced(c);
  });

  it('returns nothing for blank text', () => {
    expect(splitMarkdown('   \n ', 100)).toEqual([]);
  });

  it('holds every limit on random Markdown', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const lines: string[] = [];
      for (let i = 0; i < 80; i++) {
        const r = rand();
        if (r < 0.08) lines.push(rand() < 0.5 ? '```ts' : '```');
        else lines.push('z'.repeat(Math.floor(rand() * (r < 0.1 ? 400 : 60))));
      }
      const limit = 40 + Math.floor(rand() * 200);
      for (const c of splitMarkdown(lines.join('\n'), limit)) {
        expect(c.length).toBeLessThanOrEqual(limit);
        expectFencesBalanced(c);
      }
    }
  });
});

describe('truncate', () => {
  it('ends a cut text with an ellipsis within the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
