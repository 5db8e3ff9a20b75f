import { describe, expect, it } from 'vitest';
import {
  encodeRequest,
  parseRunnerLine,
  type RunnerRequestInput,
  runnerRequestSchema,
} from '../../../src/core/bench/protocol.ts';
import { tinyWorkloads } from '../../helpers/bench.ts';

const baseRequest = (): RunnerRequestInput => ({
  protocol: 1,
  op: 'run',
  runner: 'torch',
  workload: null,
  device: 'cpu',
  precision: 'fp32',
  threads: 1,
  repeats: 1,
  steps: 2,
  warmup: 0,
  inferBatch: 8,
  matmulSize: null,
  files: { weights: null, weightTensors: [], data: null, dataTensors: [], onnx: null },
});

describe('runner protocol (JSON lines)', () => {
  it('parses every message type a runner writes, filling defaults', () => {
    const hello = parseRunnerLine(
      JSON.stringify({
        type: 'hello',
        engineVersion: '1.13.0',
        backend: 'cpu',
        device: 'cpu',
        deviceName: 'x',
        threads: 1,
        tf32: false,
        mode: 'eager',
      }),
    );
    expect(hello).toMatchObject({ type: 'hello', driver: null, cuda: null, versions: {} });
    expect(parseRunnerLine('{"type":"progress","phase":"train","done":1,"total":5}')).toEqual({
      type: 'progress',
      phase: 'train',
      done: 1,
      total: 5,
    });
    const result = parseRunnerLine('{"type":"result","raw":{"train_step_ms":[1.5,2.5],"final_loss":0.7}}');
    expect(result?.type).toBe('result');
    if (result?.type !== 'result') throw new Error('not a result');
    expect(result.raw.train_step_ms).toEqual([1.5, 2.5]);
    expect(result.raw.final_loss).toBe(0.7);
    expect(result.raw.first_step_ms).toBeNull();
    expect(result.raw.notes).toEqual([]);
    expect(parseRunnerLine('{"type":"unavailable","reason":"no torch"}')).toEqual({
      type: 'unavailable',
      reason: 'no torch',
    });
    expect(parseRunnerLine('  {"type":"error","message":"boom"}  ')).toEqual({
      type: 'error',
      message: 'boom',
    });
  });

  it('treats stray output, broken JSON, unknown types and bad fields as non-protocol lines', () => {
    const bad = [
      '',
      'Epoch 1/1 ----',
      '2026-11-26 12:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc',
      '{"type":"result","raw":',
      '{"type":"telemetry","value":1}',
      '{"no_type":true}',
      '[1,2,3]',
      '{"type":"progress","phase":"train","done":-1,"total":5}',
      '{"type":"result","raw":{"train_step_ms":["fast"]}}',
      '{"type":"hello","engineVersion":"1","backend":"x","device":"tpu","deviceName":null,"threads":1,"tf32":null,"mode":null}',
      '{"type":"unavailable"}',
    ];
    for (const line of bad) expect(parseRunnerLine(line), line).toBeNull();
  });

  it('encodes a request as one validated line with defaults applied', async () => {
    const [mlp] = await tinyWorkloads();
    const line = encodeRequest({ ...baseRequest(), workload: mlp ?? null });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const parsed = runnerRequestSchema.parse(JSON.parse(line));
    expect(parsed.backend).toBe('auto');
    expect(parsed.fault).toBe('none');
    expect(parsed.workload?.id).toBe('mlp');
  });

  it('refuses requests with an unknown op, runner, protocol version or extra field', () => {
    expect(() => encodeRequest({ ...baseRequest(), op: 'train' as 'run' })).toThrow(/op/);
    expect(() => encodeRequest({ ...baseRequest(), runner: 'jax' as 'torch' })).toThrow(/runner/);
    expect(() => encodeRequest({ ...baseRequest(), protocol: 2 as 1 })).toThrow(/protocol/);
    expect(() => encodeRequest({ ...baseRequest(), threads: 0 })).toThrow(/threads/);
    expect(() => encodeRequest({ ...baseRequest(), extra: true } as RunnerRequestInput)).toThrow(/extra/);
  });
});
