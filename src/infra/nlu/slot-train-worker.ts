/**
 * The worker thread of {@link workerSlotTrainer}: trains the slot model on the examples in `workerData` and posts
 * its JSON (with the held-out slot readings) back, so a cold start trains the slot heads on a second core while the main thread trains the others.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SlotModel, type SlotTrainingExample } from '../../core/nlu/SlotModel.ts';
import type { TrainOptions } from '../../core/nlu/softmax.ts';

const port = parentPort;
if (!port) throw new Error('slot-train-worker.ts runs only as a worker thread');
const { examples, options } = workerData as { examples: SlotTrainingExample[]; options: TrainOptions };
try {
  const m = SlotModel.train(examples, options);
  port.postMessage({ ok: true, training: { model: m.toJSON(), heldOut: m.heldOut ?? [] } });
} catch (err) {
  port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
