import { describe, expect, it } from 'vitest';
import { parseCommandArgs, UsageError } from '../../src/cli/args.ts';
import { ErrorCode } from '../../src/core/errors.ts';

const OPTIONS = { json: { type: 'boolean' }, chart: { type: 'string' } } as const;

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('command-line arguments (node:util parseArgs)', () => {
  it('reads options and positionals; -- ends the options, so a question may start with a dash', () => {
    expect(parseCommandArgs(['--json', 'is', 'tf', 'fast?'], OPTIONS, { positionals: true })).toEqual({
      values: { json: true },
      positionals: ['is', 'tf', 'fast?'],
      help: false,
    });
    expect(parseCommandArgs(['--', '-v is faster?', '--json'], OPTIONS, { positionals: true })).toEqual({
      values: {},
      positionals: ['-v is faster?', '--json'],
      help: false,
    });
    expect(parseCommandArgs(['--chart=out.png'], OPTIONS).values.chart).toBe('out.png');
  });

  it('gives every command -h and --help', () => {
    expect(parseCommandArgs(['-h'], OPTIONS).help).toBe(true);
    expect(parseCommandArgs(['--help'], {}).help).toBe(true);
    expect(parseCommandArgs([], {}).help).toBe(false);
  });

  it('turns parse errors into one line naming the problem and the valid options', () => {
    const unknown = usageError(() => parseCommandArgs(['--jsn'], OPTIONS));
    expect(unknown.code).toBe(ErrorCode.UnknownArgument);
    expect(unknown.message).toBe('Unknown option "--jsn". Valid options: --json, --chart, --help.');
    expect(usageError(() => parseCommandArgs(['-x'], OPTIONS)).message).toMatch(/^Unknown option "-x"\./);
    expect(usageError(() => parseCommandArgs(['--chart'], OPTIONS)).message).toBe('--chart needs a value.');
    expect(usageError(() => parseCommandArgs(['--chart', '--json'], OPTIONS)).message).toBe(
      '--chart needs a value.',
    );
    expect(usageError(() => parseCommandArgs(['--json=yes'], OPTIONS)).message).toBe(
      '--json takes no value.',
    );
    expect(usageError(() => parseCommandArgs(['extra'], OPTIONS)).message).toBe(
      'Unexpected argument "extra": this command takes options only.',
    );
    for (const e of [unknown, usageError(() => parseCommandArgs(['extra'], OPTIONS))])
      expect(e.message).not.toContain('\n');
  });
});
