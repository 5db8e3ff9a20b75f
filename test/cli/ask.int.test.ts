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

  it('rejects an unknown option, command or flag with one line on stderr naming the valid ones, exit 2', () => {
    const oneLine = (r: ReturnType<typeof cli>) => {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      return r.stderr;
    };
    expect(oneLine(cli(['ask', '--jsn', 'hi']))).toMatch(
      /^tensorduel ask: Unknown option "--jsn".*--json, --stdin/,
    );
    expect(oneLine(cli(['frobnicate']))).toMatch(
      /Unknown command "frobnicate".*ask, chat, start, bench, doctor/,
    );
    expect(oneLine(cli(['--frobnicate']))).toMatch(/Unknown option "--frobnicate"/);
    expect(oneLine(cli(['bench', '--fast']))).toMatch(/^tensorduel bench: Unknown option "--fast"/);
    expect(oneLine(cli(['doctor', 'now']))).toMatch(/^tensorduel doctor: Unexpected argument "now"/);
  });

  it('--help and --version answer on stdout, exit 0, for the tool and for each command', () => {
    const version = cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    for (const args of [
      ['--help'],
      ['help'],
      ...['ask', 'chat', 'start', 'bench', 'doctor'].map((c) => [c, '--help']),
    ]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: tensorduel/);
    }
    expect(cli(['help', 'bench']).stdout).toContain('--workloads');
  });

  it('-- ends the options: a question may start with a dash; --explain adds the stages after the answer', () => {
    const r = cli(['ask', '--explain', '--', '-v is pytorch easier to learn?']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Source: .*\[learning-curve\]/);
    expect(r.stdout).toMatch(/\nWhy:\n|\nWhy: \(no explanation recorded\)/);
    const j = cli(['ask', '--json', '--explain', 'is pytorch easier to learn?']);
    const o = JSON.parse(j.stdout);
    expect(Array.isArray(o.explain)).toBe(true);
    for (const e of o.explain) expect(typeof e.stage).toBe('string');
  });

  it('--stdin runs many dialogues in one process: each JSON-line conversation keeps its own state', () => {
    const lines = [
      { conversation: 'team-a', text: 'we do NLP research, tf or torch?' },
      { conversation: 'team-b', text: 'why?' },
      { conversation: 'team-a', text: 'why?' },
      { conversation: 'team-c', text: 'why?' },
    ];
    const input = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"conversation": "x"}\n`;
    const r = cli(['ask', '--stdin'], input);
    expect(r.status).toBe(1); // the last line had no text: skipped, named on stderr, exit 1 at the end
    expect(r.stderr).toMatch(/stdin line 5 skipped: a JSON line needs a "text" string/);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => [o.conversation, o.question])).toEqual(lines.map((l) => [l.conversation, l.text]));
    // "why?" follows up team-a's first message in team-a only; team-b and team-c start fresh, alike.
    expect(out[1].answer).toEqual(out[3].answer);
    expect(out[2].answer).not.toEqual(out[1].answer);
  });
});
