import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliLogger } from '../../src/cli/runtime.ts';
import { loadConfig } from '../../src/config.ts';

const stderr = () => {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    lines.push(String(s));
    return true;
  });
  return lines;
};
afterEach(() => vi.restoreAllMocks());
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('the CLI logger', () => {
  it('keeps JSON lines off the terminal chat: warnings as plain lines, the full log in the log file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'td-log-')), 'tensorduel.log');
    const lines = stderr();
    const log = cliLogger(loadConfig({ TENSORDUEL_LOG_FILE: file }), { terminal: 'auto' });
    log.info('advisor ready', { entries: 25 });
    log.warn('embedding cache unreadable; re-embedding');
    await settle();
    expect(lines).toEqual(['tensorduel warning: embedding cache unreadable; re-embedding\n']);
    const records = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => r.msg)).toEqual(['advisor ready', 'embedding cache unreadable; re-embedding']);
  });

  it('brings the JSON lines back to stderr with LOG_LEVEL=debug', () => {
    const lines = stderr();
    cliLogger(loadConfig({ LOG_LEVEL: 'debug' }), { terminal: true }).info('advisor ready');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 'info', msg: 'advisor ready' });
  });

  it('writes JSON lines on stderr when chat platforms are configured (a server)', () => {
    const lines = stderr();
    const config = loadConfig({ DISCORD_TOKEN: 'a-discord-token-for-tests' });
    cliLogger(config, { terminal: 'auto' }).info('chat platforms started');
    expect(JSON.parse(lines[0] as string)).toMatchObject({ msg: 'chat platforms started' });
  });
});
