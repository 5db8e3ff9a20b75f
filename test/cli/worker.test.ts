import { describe, expect, it } from 'vitest';
import { parseDevice } from '../../src/cli/worker.ts';
import { loadConfig, secretValues } from '../../src/config.ts';
import { queueRoutes } from '../../src/infra/queue/BullBenchQueue.ts';

describe('tensorduel worker settings', () => {
  it('reads --device as a forced device, pinning a GPU with CUDA_VISIBLE_DEVICES', () => {
    expect(parseDevice(undefined)).toEqual({});
    expect(parseDevice('cpu')).toEqual({ device: 'cpu' });
    expect(parseDevice('cuda')).toEqual({ device: 'cuda' });
    expect(parseDevice('cuda:1')).toEqual({ device: 'cuda', visible: '1' });
    expect(() => parseDevice('gpu0')).toThrow(/--device must be cpu, cuda or cuda:N/);
  });

  it('routes requested devices to queues, by default auto and cpu to cpu and cuda to cuda', () => {
    expect(queueRoutes(undefined)).toEqual({ auto: 'cpu', cpu: 'cpu', cuda: 'cuda' });
    expect(queueRoutes('cuda=h100, auto=h100')).toEqual({ auto: 'h100', cpu: 'cpu', cuda: 'h100' });
    expect(() => queueRoutes('tpu=x')).toThrow(/TENSORDUEL_BENCH_QUEUES/);
  });

  it('treats the Redis URL and its password as secrets, and an empty metrics port as off', () => {
    const config = loadConfig({
      TENSORDUEL_REDIS_URL: 'redis://:hunter22@redis.internal:6379',
      TENSORDUEL_METRICS_PORT: '',
    });
    expect(secretValues(config)).toEqual(
      expect.arrayContaining(['redis://:hunter22@redis.internal:6379', 'hunter22']),
    );
    expect(config.TENSORDUEL_METRICS_PORT).toBeUndefined();
    expect(loadConfig({}).TENSORDUEL_REDIS_URL).toBeUndefined();
  });
});
