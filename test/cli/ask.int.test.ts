import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const env = { ...process.env, TENSORDUEL_DB_FILE: join(mkdtempSync(join(tmpdir(), 'td-cli-')), 'db.json') };
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['bin/tensorduel.js', ...args], {
    encoding: 'utf8',
    env,
    input,
    timeout: 120_000,
  });

describe('tensorduel ask', () => {
  it('--stdin prints one JSON line per input line, in order, with exactly the documented fields', () => {
    const lines = [
      'which is faster for inference?',
      '',
      'what is the capital of France?',
      'we do NLP research, tf or torch?',
    ];
    const r = cli(['ask', '--stdin'], `${lines.join('\n')}\n`);
    expect(r.status).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.question)).toEqual(lines);
    for (const o of out)
      expect(Object.keys(o).sort()).toEqual([
        'answer',
        'confidence',
        'framework',
        'intent',
        'question',
        'sources',
        'suggestions',
      ]);
    expect(out[0]).toMatchObject({
      intent: 'faq',
      sources: [{ id: 'inference-speed', section: 'Performance' }],
      framework: null,
    });
    expect(out[1]).toMatchObject({ intent: 'unknown', sources: [] });
    expect(out[2]).toMatchObject({ intent: 'unknown' });
    expect(out[3]).toMatchObject({ intent: 'recommend', framework: 'pytorch' });
    for (const o of out) expect(o.confidence).toBeGreaterThanOrEqual(0);
  });

  it('prints the answer with its source as text', () => {
    const r = cli(['ask', 'is pytorch easier to learn?']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Source: Ease of Use \[learning-curve\]/);
  });

  it('rejects an unknown option and an unknown command with the valid ones', () => {
    const opt = cli(['ask', '--jsn', 'hi']);
    expect(opt.status).toBe(2);
    expect(opt.stderr).toMatch(/Unknown option "--jsn".*--json, --stdin/);
    const cmd = cli(['frobnicate']);
    expect(cmd.status).toBe(2);
    expect(cmd.stderr).toMatch(/Unknown command "frobnicate".*ask, chat, start, bench, doctor/);
  });
});
