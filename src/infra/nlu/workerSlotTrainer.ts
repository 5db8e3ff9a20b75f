/**
 * A SlotTrainer that trains in a `worker_threads` worker: on a cold start (no cached model for the data) the slot
 * heads train on another core while the intent and topic heads train on the main thread. The result is the same
 * model the in-thread trainer gives (training is deterministic), only sooner.
 */
import { Worker } from 'node:worker_threads';
import type { SlotTrainer, SlotTraining } from '../../core/nlu/NluModel.ts';
import { tsWorkerSource } from '../../ts-worker.ts';

/** Trains the slot model in a fresh worker, which exits when done. */
export const workerSlotTrainer: SlotTrainer = (examples, options) =>
  new Promise<SlotTraining>((resolve, reject) => {
    const worker = new Worker(tsWorkerSource(new URL('./slot-train-worker.ts', import.meta.url)), {
      eval: true,
      workerData: { examples, options },
    });
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.once('message', (m: { ok: true; training: SlotTraining } | { ok: false; message: string }) =>
      done(() =>
        m.ok ? resolve(m.training) : reject(new Error(`slot model training failed: ${m.message}`)),
      ),
    );
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) =>
      done(() => reject(new Error(`slot model training worker exited with code ${code}`))),
    );
  });
