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
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // fall through to the next backend
    }
  }
  throw new Error(`no usable TensorFlow.js backend for "${choice}"`);
}

/** Activates the backend once per process and returns its name (`tensorflow`, `wasm` or `cpu`). */
export function useTfjsBackend(choice: TfjsBackendChoice = 'auto'): Promise<string> {
  selected ??= activate(choice);
  return selected;
}
