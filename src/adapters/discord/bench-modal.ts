/**
 * The `/bench` form: a Discord modal (interaction callback type 9) with the workloads, engines and device as
 * select menus inside labels, and the reading of its submission (interaction type 5) back into chat words.
 */
import {
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
  ComponentType,
} from 'discord.js';
import { ENGINES } from '../../core/bench/engines.ts';
import type { ChatBenchRequest } from '../../core/jobs/bench-words.ts';

/** custom_id of the form; its submit arrives with it. */
export const BENCH_MODAL_ID = 'td:bm';
/** custom_ids of the form's fields. */
export const BENCH_FIELDS = { workloads: 'workloads', engines: 'engines', device: 'device' } as const;

const ENGINE_LABELS: Record<string, string> = {
  tensorflow: 'TensorFlow',
  pytorch: 'PyTorch',
  onnxruntime: 'ONNX Runtime',
};
const DEVICES: ReadonlyArray<{ value: 'auto' | 'cpu' | 'cuda'; label: string; description: string }> = [
  { value: 'auto', label: 'auto', description: 'the GPU when there is one' },
  { value: 'cpu', label: 'CPU', description: 'the processor' },
  { value: 'cuda', label: 'GPU (CUDA)', description: 'an NVIDIA GPU' },
];
/** Discord: at most 25 options per select menu. */
const MAX_OPTIONS = 25;

/**
 * The modal for `/bench`, with `preset` picked (a Start button's request, or nothing).
 * @example benchModal(['mlp', 'cnn'], { engines: ['pytorch'] }) // { custom_id: 'td:bm', title: 'Benchmark …', components: [3 labels] }
 */
export function benchModal(
  workloadIds: readonly string[],
  preset: ChatBenchRequest = {},
): APIModalInteractionResponseCallbackData {
  const option = (
    value: string,
    label: string,
    picked: boolean,
    description?: string,
  ): APISelectMenuOption => ({
    value,
    label,
    ...(description ? { description } : {}),
    ...(picked ? { default: true } : {}),
  });
  const workloads = workloadIds
    .slice(0, MAX_OPTIONS)
    .map((id) => option(id, id, preset.workloads?.includes(id) ?? false));
  return {
    custom_id: BENCH_MODAL_ID,
    title: 'Benchmark TensorFlow vs PyTorch',
    components: [
      {
        type: ComponentType.Label,
        label: 'Workloads',
        description: 'What to train and time (benchmarks/*.yaml); pick at least one',
        component: {
          type: ComponentType.StringSelect,
          custom_id: BENCH_FIELDS.workloads,
          options: workloads,
          min_values: 1,
          max_values: Math.max(1, workloads.length),
          required: true,
        },
      },
      {
        type: ComponentType.Label,
        label: 'Engines',
        description: 'None picked: every engine',
        component: {
          type: ComponentType.StringSelect,
          custom_id: BENCH_FIELDS.engines,
          options: ENGINES.map((e) => option(e, ENGINE_LABELS[e] ?? e, preset.engines?.includes(e) ?? false)),
          min_values: 0,
          max_values: ENGINES.length,
          required: false,
        },
      },
      {
        type: ComponentType.Label,
        label: 'Device',
        description: 'None picked: auto',
        component: {
          type: ComponentType.StringSelect,
          custom_id: BENCH_FIELDS.device,
          options: DEVICES.map((d) => option(d.value, d.label, preset.device === d.value, d.description)),
          min_values: 0,
          max_values: 1,
          required: false,
        },
      },
    ],
  };
}

/**
 * The chat words of a submitted form (`mlp cnn pytorch cuda`), for the same parser as `/bench`'s options, or a
 * message when no workload was picked. `values(id)` gives a field's picked values (undefined: not in the submit).
 * @example readBenchModal((id) => ({ workloads: ['mlp'], engines: [], device: ['cpu'] })[id]) // { ok: true, words: 'mlp cpu' }
 */
export function readBenchModal(
  values: (field: string) => readonly string[] | undefined,
): { ok: true; words: string } | { ok: false; message: string } {
  const workloads = values(BENCH_FIELDS.workloads) ?? [];
  if (workloads.length === 0)
    return {
      ok: false,
      message: 'Nothing was queued: pick at least one workload in the form, then send it again (`/bench`).',
    };
  const words = [
    ...workloads,
    ...(values(BENCH_FIELDS.engines) ?? []),
    ...(values(BENCH_FIELDS.device) ?? []),
  ];
  return { ok: true, words: words.join(' ') };
}
