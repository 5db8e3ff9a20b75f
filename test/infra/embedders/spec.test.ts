import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { encoderThreads, resolveEmbedderSpec, specModelId } from '../../../src/infra/embedders/spec.ts';

const withModel = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'td-models-'));
  await mkdir(join(dir, 'Xenova/all-MiniLM-L6-v2/onnx'), { recursive: true });
  await writeFile(join(dir, 'Xenova/all-MiniLM-L6-v2/onnx/model.onnx'), '');
  await writeFile(join(dir, 'Xenova/all-MiniLM-L6-v2/tokenizer.json'), '{}');
  return dir;
};

describe('choosing the sentence encoder', () => {
  it('takes all-MiniLM-L6-v2 by default when setup has exported it to the models folder', async () => {
    const spec = resolveEmbedderSpec(loadConfig({ TENSORDUEL_MODELS_DIR: await withModel() }));
    expect(spec.kind).toBe('transformers');
    expect(specModelId(spec)).toBe('transformers:Xenova/all-MiniLM-L6-v2:fp32');
  });

  it('falls back to USE lite, which ships in npm, when the models folder has no model (a fresh clone)', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'td-models-'));
    const spec = resolveEmbedderSpec(loadConfig({ TENSORDUEL_MODELS_DIR: empty }));
    expect(spec).toEqual({ kind: 'use-lite', backend: 'auto' });
    expect(specModelId(spec)).toBe('use-lite@energetic-ai-0.2.0');
  });

  it('follows an explicit choice either way', async () => {
    const dir = await withModel();
    expect(
      resolveEmbedderSpec(loadConfig({ TENSORDUEL_MODELS_DIR: dir, TENSORDUEL_EMBEDDER: 'use-lite' })).kind,
    ).toBe('use-lite');
    const empty = await mkdtemp(join(tmpdir(), 'td-models-'));
    const remote = resolveEmbedderSpec(
      loadConfig({
        TENSORDUEL_MODELS_DIR: empty,
        TENSORDUEL_EMBEDDER: 'transformers',
        TENSORDUEL_ALLOW_REMOTE_MODELS: 'true',
      }),
    );
    expect(remote).toMatchObject({ kind: 'transformers', allowRemote: true });
  });

  it('leaves the bot a core: the encoder takes every core but one unless told a number of threads', async () => {
    expect([1, 2, 4, 16].map((cores) => encoderThreads(cores))).toEqual([1, 1, 3, 15]);
    const dir = await withModel();
    expect(resolveEmbedderSpec(loadConfig({ TENSORDUEL_MODELS_DIR: dir }))).toMatchObject({
      threads: encoderThreads(),
    });
    expect(
      resolveEmbedderSpec(loadConfig({ TENSORDUEL_MODELS_DIR: dir, TENSORDUEL_ENCODER_THREADS: '3' })),
    ).toMatchObject({ threads: 3 });
    expect(() => loadConfig({ TENSORDUEL_ENCODER_THREADS: '-1' })).toThrow(/TENSORDUEL_ENCODER_THREADS/);
  });
});
