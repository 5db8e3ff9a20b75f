/**
 * A SlotTrainer that trains in a `worker_threads` worker: on a cold start (no cached model for the data) the slot
 * heads train on another core while the intent and topic heads train on the main thread. The result is the same
 * model the in-thread trainer gives (training is deterministic), only sooner.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SlotTrainer } from '../../core/nlu/NluModel.ts';
import type { SlotModelJson } from '../../core/nlu/SlotModel.ts';

// The worker is TypeScript: it registers tsx itself, as the embedding worker does (see WorkerEmbedder.ts).
function workerSource(): string {
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./slot-train-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Trains the slot model in a fresh worker, which exits when done. */
export const workerSlotTrainer: SlotTrainer = (examples, options) =>
  new Promise<SlotModelJson>((resolve, reject) => {
    const worker = new Worker(workerSource(), { eval: true, workerData: { examples, options } });
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (m: { ok: true; model: SlotModelJson } | { ok: false; message: string }) =>
      done(() => (m.ok ? resolve(m.model) : reject(new Error(`slot model training failed: ${m.message}`)))),
    );
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) =>
      done(() => reject(new Error(`slot model training worker exited with code ${code}`))),
    );
  });
