/**
 * The worker thread of {@link WorkerEmbedder}: builds the encoder from `workerData` and answers embed requests
 * one at a time, so the main thread's event loop (chat acknowledgements) never waits behind a model.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Embedder } from '../../core/ports.ts';
import { type EmbedderSpec, embedderFromSpec } from './spec.ts';
import type { FromWorker, ToWorker } from './WorkerEmbedder.ts';

const port = parentPort;
if (!port) throw new Error('embed-worker.ts runs only as a worker thread');
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const describe = (err: unknown) => {
  const e = err as { message?: string; code?: string; cause?: { message?: string } };
  const cause = e.cause?.message ? `: ${e.cause.message}` : '';
  return { message: `${e.message ?? String(err)}${cause}`, ...(e.code ? { code: e.code } : {}) };
};

let embedder: Embedder | undefined;
const loading: Promise<Embedder> = (async () => {
  const e = await embedderFromSpec(workerData as EmbedderSpec);
  await e.ready();
  embedder = e;
  return e;
})();
loading.then(
  (e) => post({ type: 'ready', dimensions: e.dimensions }),
  (err: unknown) => post({ type: 'failed', ...describe(err) }),
);

// Requests arrive in order and are served in order; the model is single-threaded anyway.
let chain: Promise<void> = Promise.resolve();
port.on('message', (m: ToWorker) => {
  if (m.type === 'close') {
    chain = chain.then(async () => {
      await embedder?.dispose();
      port.close();
    });
    return;
  }
  chain = chain.then(async () => {
    try {
      const e = await loading;
      const rows = await e.embed(m.texts);
      const flat = new Float32Array(rows.length * e.dimensions);
      rows.forEach((r, i) => {
        flat.set(r, i * e.dimensions);
      });
      post({ type: 'result', id: m.id, data: flat, dimensions: e.dimensions }, [flat.buffer]);
    } catch (err) {
      post({ type: 'error', id: m.id, ...describe(err) });
    }
  });
});
