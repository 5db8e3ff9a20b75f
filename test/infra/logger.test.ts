import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, fileLineWriter, teeLogger } from '../../src/infra/logger.ts';

describe('logger', () => {
  it('writes JSON lines by default, with secrets and token shapes redacted', () => {
    const lines: string[] = [];
    const log = createLogger({ secrets: ['s3cret-value'], write: (l) => lines.push(l) });
    log.info('hello', { token: 'xoxb-1234567890-abc', note: 'has s3cret-value inside' });
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'info',
      msg: 'hello',
      token: '[redacted]',
      note: 'has [redacted] inside',
    });
  });

  it('writes short plain lines in text format, for a person at a terminal', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'text', level: 'warn', write: (l) => lines.push(l) });
    log.info('advisor ready');
    log.warn('embedding cache unreadable; re-embedding', { file: 'x.bin', error: new Error('bad magic') });
    expect(lines).toEqual([
      'tensorduel warning: embedding cache unreadable; re-embedding (file=x.bin error=bad magic)',
    ]);
  });

  it('hands each record to every logger of a tee, each at its own level', () => {
    const a: string[] = [];
    const b: string[] = [];
    const log = teeLogger(
      createLogger({ level: 'warn', write: (l) => a.push(l) }),
      createLogger({ level: 'debug', write: (l) => b.push(l) }),
    );
    log.debug('d');
    log.warn('w');
    expect(a.length).toBe(1);
    expect(b.length).toBe(2);
  });

  it('appends lines to a log file, creating its folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-log-'));
    const file = join(dir, 'sub', 'tensorduel.log');
    const write = fileLineWriter(file);
    write('one');
    write('two');
    await new Promise((r) => setTimeout(r, 50));
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
  });
});
