/**
 * The modal behind `/tensorduel bench` with no arguments: workloads, engines and the device picked from lists
 * (`views.open` with the command's trigger_id); its `view_submission` is read back into a chat request.
 */
import type { types } from '@slack/bolt';
import { ENGINES } from '../../core/bench/engines.ts';
import type { ChatBenchRequest } from '../../core/jobs/bench-words.ts';
import { COMMAND_TABLE } from '../shared/command-table.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { truncate } from '../shared/split-markdown.ts';

/** callback_id of the modal. */
export const BENCH_MODAL = 'td_bench_modal';
/** Where the submission goes: the channel the command was typed in, and its response_url for refusals. */
export interface BenchModalContext {
  channel: string;
  responseUrl: string;
}

const option = (text: string, value: string): types.PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.optionText) },
  value,
});

const ENGINE_NAMES: Record<(typeof ENGINES)[number], string> = {
  tensorflow: 'TensorFlow',
  pytorch: 'PyTorch',
  onnxruntime: 'ONNX Runtime',
};

/**
 * The modal for `workloads` (benchmarks/*.yaml ids); `context` rides along in private_metadata.
 * @example benchModal(['mlp', 'cnn'], { channel: 'C1', responseUrl }).callback_id // 'td_bench_modal'
 */
export function benchModal(workloads: readonly string[], context: BenchModalContext): types.ModalView {
  const device = COMMAND_TABLE.bench.options.find((o) => o.name === 'device')?.choices ?? [];
  return {
    type: 'modal',
    callback_id: BENCH_MODAL,
    private_metadata: JSON.stringify(context).slice(0, SLACK_LIMITS.privateMetadata),
    title: { type: 'plain_text', text: 'Benchmark' },
    submit: { type: 'plain_text', text: 'Queue it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Runs the same workloads on TensorFlow and PyTorch on this host. Leave a list empty for all of it.',
        },
      },
      {
        type: 'input',
        block_id: 'workloads',
        optional: true,
        label: { type: 'plain_text', text: 'Workloads' },
        element: {
          type: 'multi_static_select',
          action_id: 'pick',
          placeholder: { type: 'plain_text', text: 'All workloads' },
          options: workloads.slice(0, SLACK_LIMITS.selectOptions).map((w) => option(w, w)),
        },
      },
      {
        type: 'input',
        block_id: 'engines',
        optional: true,
        label: { type: 'plain_text', text: 'Engines' },
        element: {
          type: 'multi_static_select',
          action_id: 'pick',
          placeholder: { type: 'plain_text', text: 'All engines' },
          options: ENGINES.map((e) => option(ENGINE_NAMES[e], e)),
        },
      },
      {
        type: 'input',
        block_id: 'device',
        optional: true,
        label: { type: 'plain_text', text: 'Device' },
        element: {
          type: 'static_select',
          action_id: 'pick',
          initial_option: option('auto', 'auto'),
          options: device.map((c) => option(c.name, c.value)),
        },
      },
    ],
  };
}

type StateValues = Record<
  string,
  Record<
    string,
    { selected_options?: Array<{ value?: unknown }>; selected_option?: { value?: unknown } | null }
  >
>;

/**
 * The request a submission asks for, keeping only known workloads, engines and devices (the payload is the
 * user's); and the context it was opened with, if it is ours.
 */
export function readBenchModal(
  view: { state?: { values?: unknown }; private_metadata?: string },
  workloads: readonly string[],
): { request: ChatBenchRequest; context: BenchModalContext | undefined } {
  const values = (view.state?.values ?? {}) as StateValues;
  const picked = (block: string) =>
    (values[block]?.pick?.selected_options ?? [])
      .map((o) => o.value)
      .filter((v): v is string => typeof v === 'string');
  const request: ChatBenchRequest = {};
  const w = picked('workloads').filter((x) => workloads.includes(x));
  const e = ENGINES.filter((x) => picked('engines').includes(x));
  const d = values.device?.pick?.selected_option?.value;
  if (w.length > 0) request.workloads = w;
  if (e.length > 0) request.engines = e;
  if (d === 'cpu' || d === 'cuda' || d === 'auto') request.device = d;
  let context: BenchModalContext | undefined;
  try {
    const c = JSON.parse(view.private_metadata ?? '') as Partial<BenchModalContext>;
    if (typeof c.channel === 'string' && typeof c.responseUrl === 'string')
      context = { channel: c.channel, responseUrl: c.responseUrl };
  } catch {
    // Not ours: the submission still queues, with nowhere to post a refusal but the log.
  }
  return { request, context };
}
