/** The engines a user can name, the runners behind each, and how to install what is missing. */

/** Engine names accepted by `--engines` and the chat. */
export const ENGINES = ['tensorflow', 'pytorch', 'onnxruntime'] as const;
/** One engine name. */
export type EngineId = (typeof ENGINES)[number];

/** Runner ids: one child-process program each (one engine may have several runners). */
export const RUNNERS = ['tfjs', 'tf-python', 'tf-xla', 'torch', 'torch-compile', 'onnxruntime'] as const;
/** One runner id. */
export type RunnerId = (typeof RUNNERS)[number];

/** What the core knows about a runner without starting it. */
export interface RunnerInfoStatic {
  engine: EngineId;
  /** Human name, as rows and claims show it. */
  label: string;
  /** False for inference-only runners (ONNX Runtime). */
  trains: boolean;
  /** The command that installs the runtime when it is missing. */
  installHint: string;
}

/** The runner catalogue, in the order runs execute. */
export const RUNNER_INFO: Record<RunnerId, RunnerInfoStatic> = {
  tfjs: {
    engine: 'tensorflow',
    label: 'TensorFlow.js',
    trains: true,
    installHint:
      'npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm (native: npm install @tensorflow/tfjs-node, CUDA 11.2: @tensorflow/tfjs-node-gpu)',
  },
  'tf-python': {
    engine: 'tensorflow',
    label: 'TensorFlow (Python)',
    trains: true,
    installHint:
      'bash scripts/setup.sh (installs tensorflow-cpu, or tensorflow[and-cuda] on a GPU host, into .venv), or pip install tensorflow and set TENSORDUEL_PYTHON',
  },
  'tf-xla': {
    engine: 'tensorflow',
    label: 'TensorFlow (XLA)',
    trains: true,
    installHint:
      'bash scripts/setup.sh (Python TensorFlow in .venv); XLA jit_compile ships with TensorFlow, or set TENSORDUEL_PYTHON',
  },
  torch: {
    engine: 'pytorch',
    label: 'PyTorch',
    trains: true,
    installHint:
      'bash scripts/setup.sh (installs torch 2.13 into .venv), or pip install torch and set TENSORDUEL_PYTHON',
  },
  'torch-compile': {
    engine: 'pytorch',
    label: 'PyTorch (torch.compile)',
    trains: true,
    installHint: 'pip install "torch>=2.0" (torch.compile needs PyTorch 2), or set TENSORDUEL_PYTHON',
  },
  onnxruntime: {
    engine: 'onnxruntime',
    label: 'ONNX Runtime',
    trains: false,
    installHint:
      'ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (CUDA: ONNXRUNTIME_NODE_INSTALL=cuda12); the model is exported by PyTorch, so PyTorch must be available too',
  },
};

/** The runners that make up each engine (the compiled modes, torch.compile and TF XLA, only when asked for). */
export function runnersFor(engine: EngineId, options: { compile?: boolean } = {}): RunnerId[] {
  switch (engine) {
    case 'tensorflow':
      return options.compile ? ['tfjs', 'tf-python', 'tf-xla'] : ['tfjs', 'tf-python'];
    case 'pytorch':
      return options.compile ? ['torch', 'torch-compile'] : ['torch'];
    case 'onnxruntime':
      return ['onnxruntime'];
  }
}
