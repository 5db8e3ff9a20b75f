/**
 * Argument parsing shared by every sub-command: node:util `parseArgs` (strict, `--` ends the options), `-h` /
 * `--help` on every command, and parse errors turned into one line a user can act on.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ErrorCode, UserError } from '../core/errors.ts';

/** Option specs as `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What a command was given: option values by name, the positional words, and whether help was asked for. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

/** A wrong command line: the CLI prints its message as one line on stderr and exits 2. */
export class UsageError extends UserError {
  /** The sub-command whose arguments were wrong, once known (the CLI prefixes it). */
  command?: string;
  constructor(message: string, code: ErrorCode = ErrorCode.InvalidInput) {
    super(code, message);
  }
}

const HELP: OptionSpecs = { help: { type: 'boolean', short: 'h' } };

/** `--name` for every option in `options`, for "valid options" lists. */
export function optionNames(options: OptionSpecs): string[] {
  return Object.keys({ ...options, ...HELP }).map((n) => `--${n}`);
}

/**
 * Parses `args` for one command; throws a UsageError (unknown option, missing value, unexpected argument).
 * @example parseCommandArgs(['--json', '--', '-v is faster?'], { json: { type: 'boolean' } }, { positionals: true })
 * // → { values: { json: true }, positionals: ['-v is faster?'], help: false }
 */
export function parseCommandArgs(
  args: readonly string[],
  options: OptionSpecs,
  settings: { positionals?: boolean } = {},
): ParsedArgs {
  const all = { ...options, ...HELP };
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: all,
      strict: true,
      allowPositionals: settings.positionals ?? false,
    });
    const { help, ...rest } = values as Record<string, string | boolean | undefined>;
    return { values: rest, positionals, help: help === true };
  } catch (err) {
    throw toUsageError(err, all);
  }
}

/** A string option's value, refusing an empty one (`--chart=`). */
export function requireValue(values: ParsedArgs['values'], name: string): string | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  if (v === '') throw new UsageError(`--${name} needs a value.`);
  return v;
}

function toUsageError(err: unknown, options: OptionSpecs): unknown {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(
        `Unknown option "${quoted}". Valid options: ${optionNames(options).join(', ')}.`,
        ErrorCode.UnknownArgument,
      );
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = quoted.split(' ')[0] ?? quoted;
      return new UsageError(
        /does not take/.test(message) ? `${name} takes no value.` : `${name} needs a value.`,
      );
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`Unexpected argument "${quoted}": this command takes options only.`);
    default:
      return err;
  }
}
