import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs, progressBar } from '../../src/cli/bench.ts';
import { parseFaults } from '../../src/core/bench/faults.ts';
import { benchHistory, recordBenchResult } from '../../src/core/bench/history.ts';
import type { BenchProgress } from '../../src/core/bench/run.ts';
import type { WorkloadSpec } from '../../src/core/bench/workload.ts';
import { ErrorCode, UserError } from '../../src/core/errors.ts';
import { STATE_LIMITS } from '../../src/core/state.ts';
import { FileStore } from '../../src/infra/store/FileStore.ts';
import { docWith, syntheticRow, tinyWorkloads } from '../helpers/bench.ts';

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('tensorduel bench arguments', () => {
  it('parses every option, in both --name value and --name=value forms', () => {
    const opts = parseBenchArgs([
      '--workloads',
      'mlp,cnn',
      '--engines=pytorch,onnxruntime',
      '--device',
      'cpu',
      '--repeats=7',
      '--steps',
      '20',
      '--warmup',
      '0',
      '--threads',
      '2',
      '--precision',
      'fp32,bf16',
      '--compile',
      '--tfjs-backend',
      'wasm',
      '--timeout',
      '12.5',
      '--infer-batch',
      '256',
      '--matmul-size',
      '512',
      '--markdown',
      '--chart',
      '/tmp/c.png',
      '--no-save',
      '--quiet',
    ]);
    expect(opts).toEqual({
      request: {
        workloads: ['mlp', 'cnn'],
        engines: ['pytorch', 'onnxruntime'],
        device: 'cpu',
        repeats: 7,
        steps: 20,
        warmup: 0,
        threads: 2,
        precisions: ['fp32', 'bf16'],
        compile: true,
        tfjsBackend: 'wasm',
        timeoutS: 12.5,
        inferBatch: 256,
        matmulSize: 512,
      },
      output: 'markdown',
      chart: '/tmp/c.png',
      save: false,
      quiet: true,
      help: false,
    });
    expect(parseBenchArgs([]).output).toBe('text');
    expect(parseBenchArgs(['--json']).output).toBe('json');
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });

  it('rejects bad arguments with a message naming the valid values', () => {
    const unknown = userError(() => parseBenchArgs(['--fast']));
    expect(unknown.code).toBe(ErrorCode.UnknownArgument);
    expect(unknown.message).toMatch(/Unknown option "--fast". Valid options: --workloads, --engines, /);
    expect(userError(() => parseBenchArgs(['--device', 'tpu'])).message).toBe(
      'Unknown device "tpu". Valid devices: auto, cpu, cuda.',
    );
    expect(userError(() => parseBenchArgs(['--precision', 'fp16'])).message).toMatch(
      /Unknown precision "fp16". Valid precisions: fp32, tf32, bf16/,
    );
    expect(userError(() => parseBenchArgs(['--tfjs-backend', 'webgl'])).message).toMatch(/Valid: auto/);
    expect(userError(() => parseBenchArgs(['--repeats', 'five'])).message).toMatch(/whole number/);
    expect(userError(() => parseBenchArgs(['--repeats', '2.5'])).message).toMatch(/whole number/);
    expect(userError(() => parseBenchArgs(['--timeout', '0'])).message).toMatch(/seconds > 0/);
    expect(userError(() => parseBenchArgs(['--chart'])).message).toBe('--chart needs a value.');
    expect(userError(() => parseBenchArgs(['--workloads='])).message).toBe('--workloads needs a value.');
  });

  it('parses fault injection and rejects unknown runners or faults', () => {
    expect(parseFaults('tfjs=hang, torch=crash')).toEqual({ tfjs: 'hang', torch: 'crash' });
    expect(parseFaults(undefined)).toEqual({});
    expect(() => parseFaults('jax=crash')).toThrow(/runner=crash\|hang/);
    expect(() => parseFaults('torch=explode')).toThrow(UserError);
  });

  it('draws a progress bar proportional to the fraction done', () => {
    const event = (fraction: number): BenchProgress => ({
      kind: 'job-progress',
      jobIndex: 1,
      jobCount: 4,
      workload: 'mlp',
      runner: 'torch',
      precision: 'fp32',
      phase: 'train',
      fraction,
      message: 'mlp · PyTorch · fp32 · train 3/5',
    });
    expect(progressBar(event(0.25), 20)).toBe('[#####---------------]  25% mlp · PyTorch · fp32 · train 3/5');
    expect(progressBar(event(1), 10)).toMatch(/^\[#{10}\] 100% /);
    expect(progressBar(event(0), 10)).toMatch(/^\[-{10}\] {3}0% /);
  });
});

describe('benchmark history in the results folder', () => {
  it('records result documents on disk, reads them back newest first, and caps the history', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'td-bench-db-'));
    const file = join(dir, 'db.json');
    const store = new FileStore({ file });
    const mlp = (await tinyWorkloads()).find((w) => w.id === 'mlp') as WorkloadSpec;
    const rows = [syntheticRow('torch', mlp, {}), syntheticRow('tfjs', mlp, {})];
    for (let i = 0; i < STATE_LIMITS.benchmarkResults + 3; i++)
      await recordBenchResult(store.results, docWith(rows, { id: `bench-${i}` }));
    const names = (await readdir(store.paths.results)).sort();
    expect(names).toHaveLength(STATE_LIMITS.benchmarkResults);
    const oldest = JSON.parse(await readFile(join(store.paths.results, names[0] as string), 'utf8'));
    expect(oldest.id).toBe('bench-3');
    expect(oldest.rows[0]?.metrics.train_samples_per_s).toBe(rows[0]?.metrics.train_samples_per_s);

    // A fresh store on the same file (a restart) reads the same history, skipping entries of another version.
    const reopened = new FileStore({ file });
    await writeFile(
      join(store.paths.results, '999999999999999-0-000000000-old-format.json'),
      JSON.stringify({ version: 0, id: 'old-format' }),
    );
    const history = await benchHistory(reopened.results, 3);
    expect(history.map((d) => d.id)).toEqual([
      `bench-${STATE_LIMITS.benchmarkResults + 2}`,
      `bench-${STATE_LIMITS.benchmarkResults + 1}`,
      `bench-${STATE_LIMITS.benchmarkResults}`,
    ]);
  });
});
