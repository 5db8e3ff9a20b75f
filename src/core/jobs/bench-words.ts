/** Reads a benchmark request from chat words (`mlp cnn pytorch gpu`) or from a free-text question. */
import { ENGINES } from '../bench/engines.ts';
import type { BenchRun } from './bench-run.ts';

/** What a chat run may ask for: the subset of BenchRequest a chat command sets. */
export type ChatBenchRequest = BenchRun['request'];

const ENGINE_WORDS: Record<string, readonly string[]> = {
  tensorflow: ['tensorflow'],
  tf: ['tensorflow'],
  tfjs: ['tensorflow'],
  pytorch: ['pytorch'],
  torch: ['pytorch'],
  onnxruntime: ['onnxruntime'],
  onnx: ['onnxruntime'],
  ort: ['onnxruntime'],
  both: ['tensorflow', 'pytorch'],
};
const DEVICE_WORDS: Record<string, 'cpu' | 'cuda' | 'auto'> = {
  cpu: 'cpu',
  cuda: 'cuda',
  gpu: 'cuda',
  auto: 'auto',
};

function build(workloads: Set<string>, engines: Set<string>, device: string | undefined): ChatBenchRequest {
  const request: ChatBenchRequest = {};
  if (workloads.size > 0) request.workloads = [...workloads];
  if (engines.size > 0) request.engines = ENGINES.filter((e) => engines.has(e));
  if (device) request.device = device as 'cpu' | 'cuda' | 'auto';
  return request;
}

/**
 * Parses the words of `/tensorduel bench …`: workload ids, engine names (or `tf`, `torch`, `onnx`, `both`) and
 * a device (`cpu`, `gpu`/`cuda`), separated by spaces or commas. An unknown word is an error listing the valid ones.
 * @example parseBenchWords('mlp torch gpu', ['mlp', 'cnn'])
 * // { ok: true, request: { workloads: ['mlp'], engines: ['pytorch'], device: 'cuda' } }
 */
export function parseBenchWords(
  text: string,
  workloadIds: readonly string[],
): { ok: true; request: ChatBenchRequest } | { ok: false; message: string } {
  const workloads = new Set<string>();
  const engines = new Set<string>();
  let device: string | undefined;
  const unknown: string[] = [];
  const words = text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '' && w !== 'on' && w !== 'and' && w !== 'all');
  for (const word of words) {
    if (workloadIds.includes(word)) workloads.add(word);
    else if (ENGINE_WORDS[word]) for (const e of ENGINE_WORDS[word]) engines.add(e);
    else if (DEVICE_WORDS[word]) device = DEVICE_WORDS[word];
    else unknown.push(word);
  }
  if (unknown.length > 0)
    return {
      ok: false,
      message: `I don't know ${unknown.map((w) => `\`${w}\``).join(', ')}. Workloads: ${workloadIds.map((w) => `\`${w}\``).join(', ')}. Engines: ${ENGINES.map((e) => `\`${e}\``).join(', ')}. Devices: \`cpu\`, \`gpu\`.`,
    };
  return { ok: true, request: build(workloads, engines, device) };
}

/**
 * Picks the known words out of a free-text benchmark request, ignoring the rest.
 * @example parseBenchText('benchmark both on the GPU', ['mlp']) // { engines: ['tensorflow', 'pytorch'], device: 'cuda' }
 */
export function parseBenchText(text: string, workloadIds: readonly string[]): ChatBenchRequest {
  const workloads = new Set<string>();
  const engines = new Set<string>();
  let device: string | undefined;
  for (const word of text.toLowerCase().split(/[^a-z0-9_-]+/)) {
    if (workloadIds.includes(word)) workloads.add(word);
    else if (ENGINE_WORDS[word]) for (const e of ENGINE_WORDS[word]) engines.add(e);
    else if (word === 'gpu' || word === 'cuda' || word === 'cpu') device = DEVICE_WORDS[word];
  }
  return build(workloads, engines, device);
}

/** A one-line summary of a chat request: `mlp · pytorch · cuda`. */
export function describeRequest(request: ChatBenchRequest): string {
  return `${request.workloads?.join(', ') ?? 'all workloads'} · ${request.engines?.join(', ') ?? 'all engines'} · ${request.device ?? 'auto'}`;
}
