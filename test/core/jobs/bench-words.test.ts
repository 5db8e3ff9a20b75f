import { describe, expect, it } from 'vitest';
import { describeRequest, parseBenchText, parseBenchWords } from '../../../src/core/jobs/bench-words.ts';

const WORKLOADS = ['mlp', 'cnn', 'transformer', 'matmul'];

describe('parseBenchWords (slash command words)', () => {
  it('reads workloads, engine names and aliases, and the device, in any order', () => {
    expect(parseBenchWords('cnn torch mlp GPU', WORKLOADS)).toEqual({
      ok: true,
      request: { workloads: ['cnn', 'mlp'], engines: ['pytorch'], device: 'cuda' },
    });
    expect(parseBenchWords('mlp,tf,onnx on cpu', WORKLOADS)).toEqual({
      ok: true,
      request: { workloads: ['mlp'], engines: ['tensorflow', 'onnxruntime'], device: 'cpu' },
    });
  });

  it('means everything when given nothing, and "both" means TensorFlow and PyTorch', () => {
    expect(parseBenchWords('', WORKLOADS)).toEqual({ ok: true, request: {} });
    expect(parseBenchWords('both', WORKLOADS)).toEqual({
      ok: true,
      request: { engines: ['tensorflow', 'pytorch'] },
    });
  });

  it('refuses an unknown word and lists the valid workloads, engines and devices', () => {
    const answer = parseBenchWords('mlp resnet keras', WORKLOADS);
    expect(answer.ok).toBe(false);
    const message = answer.ok ? '' : answer.message;
    expect(message).toContain('`resnet`, `keras`');
    for (const valid of ['`mlp`', '`matmul`', '`pytorch`', '`onnxruntime`', '`gpu`'])
      expect(message).toContain(valid);
  });
});

describe('parseBenchText (free text)', () => {
  it('picks the known words out of a sentence and ignores the rest', () => {
    expect(parseBenchText('could you benchmark both on the GPU?', WORKLOADS)).toEqual({
      engines: ['tensorflow', 'pytorch'],
      device: 'cuda',
    });
    expect(parseBenchText('Benchmark the CNN with PyTorch please', WORKLOADS)).toEqual({
      workloads: ['cnn'],
      engines: ['pytorch'],
    });
  });

  it('describes a request in one line', () => {
    expect(describeRequest({ workloads: ['mlp'], engines: ['pytorch'], device: 'cuda' })).toBe(
      'mlp · pytorch · cuda',
    );
    expect(describeRequest({})).toBe('all workloads · all engines · auto');
  });
});
