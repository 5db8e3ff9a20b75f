/** Fault injection for tests of the real runners (the CLI and chat-started runs read TENSORDUEL_BENCH_FAULT). */
import { ErrorCode, UserError } from '../errors.ts';
import { RUNNERS, type RunnerId } from './engines.ts';
import type { BenchJob } from './port.ts';

const FAULTS = ['crash', 'hang', 'hang-ignore-sigterm'];

/**
 * Parses "tfjs=hang,torch=crash" into per-runner faults; a bad part is a UserError.
 * @example parseFaults(process.env.TENSORDUEL_BENCH_FAULT) // { tfjs: 'hang', torch: 'crash' }
 */
export function parseFaults(value: string | undefined): Partial<Record<RunnerId, BenchJob['fault']>> {
  const out: Partial<Record<RunnerId, BenchJob['fault']>> = {};
  const parts = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts) {
    const [runner, fault] = part.split('=') as [string, string | undefined];
    if (!(RUNNERS as readonly string[]).includes(runner) || !FAULTS.includes(fault ?? ''))
      throw new UserError(
        ErrorCode.InvalidInput,
        `TENSORDUEL_BENCH_FAULT: "${part}" is not runner=crash|hang|hang-ignore-sigterm.`,
      );
    out[runner as RunnerId] = fault as BenchJob['fault'];
  }
  return out;
}
