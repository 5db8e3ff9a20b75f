import { describe, expect, it } from 'vitest';
import { keepProcessHandlers, useTfjsBackend } from '../../../src/infra/embedders/tfjs-backend.ts';

describe('TensorFlow.js backend selection', () => {
  it('activates wasm without leaving its rethrowing process handlers behind', async () => {
    const before = {
      exception: process.listenerCount('uncaughtException'),
      rejection: process.listenerCount('unhandledRejection'),
    };
    expect(await useTfjsBackend('wasm')).toBe('wasm');
    expect(process.listenerCount('uncaughtException')).toBe(before.exception);
    expect(process.listenerCount('unhandledRejection')).toBe(before.rejection);
  });

  it('removes only the handlers added during init, even when init fails', async () => {
    const mine = () => {};
    process.on('unhandledRejection', mine);
    try {
      const added = () => {};
      await expect(
        keepProcessHandlers(async () => {
          process.on('unhandledRejection', added);
          throw new Error('init failed');
        }),
      ).rejects.toThrow('init failed');
      expect(process.listeners('unhandledRejection')).toContain(mine);
      expect(process.listeners('unhandledRejection')).not.toContain(added);
    } finally {
      process.off('unhandledRejection', mine);
    }
  });
});
