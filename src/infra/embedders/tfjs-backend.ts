/** Picks the fastest TensorFlow.js backend installed: tfjs-node-gpu (CUDA), tfjs-node, wasm, then the pure-JS cpu backend. */
import * as tf from '@tensorflow/tfjs-core';

/** A backend preference from the configuration. */
export type TfjsBackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

let selected: Promise<string> | undefined;

async function tryImport(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

async function activate(choice: TfjsBackendChoice): Promise<string> {
  // PROD silences tfjs's console advice to install tfjs-node, which would corrupt --json output.
  tf.env().set('PROD', true);
  const order: Array<Exclude<TfjsBackendChoice, 'auto'>> =
    choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    if (name === 'tensorflow') {
      // tfjs-node(-gpu) register the 'tensorflow' backend on import; neither installs on every host.
      const found =
        (await tryImport('@tensorflow/tfjs-node-gpu')) || (await tryImport('@tensorflow/tfjs-node'));
      if (!found) continue;
    } else if (name === 'wasm') {
      if (!(await tryImport('@tensorflow/tfjs-backend-wasm'))) continue;
    } else {
      await import('@tensorflow/tfjs-backend-cpu');
    }
    try {
      const ok = await keepProcessHandlers(async () => {
        if (!(await tf.setBackend(name))) return false;
        await tf.ready();
        return true;
      });
      if (ok) return name;
    } catch {
      // fall through to the next backend
    }
  }
  throw new Error(`no usable TensorFlow.js backend for "${choice}"`);
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `init` and removes the process-wide handlers it added. The Emscripten wasm module adds handlers that
 * rethrow every uncaught exception and unhandled rejection from inside its own code, so a crash anywhere in the
 * app would print the whole minified wasm loader instead of our error; the process keeps Node's default handling.
 */
export async function keepProcessHandlers<T>(init: () => Promise<T>): Promise<T> {
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(process.listeners(e))]));
  try {
    return await init();
  } finally {
    for (const event of PROCESS_EVENTS)
      for (const listener of process.listeners(event))
        if (!before.get(event)?.has(listener)) process.off(event, listener as (...args: unknown[]) => void);
  }
}

/** Activates the backend once per process and returns its name (`tensorflow`, `wasm` or `cpu`). */
export function useTfjsBackend(choice: TfjsBackendChoice = 'auto'): Promise<string> {
  selected ??= activate(choice);
  return selected;
}
