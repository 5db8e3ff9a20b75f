/**
 * The App Home tab (`views.publish`): what TensorDuel can do, the benchmark queue, the viewer's recent runs and
 * the last results with a link to their charts. A pure function of what the adapter read; Home tabs take
 * sections and context blocks (no markdown or table blocks), at most 100 of them.
 */
import type { types } from '@slack/bolt';
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import { SLACK_LIMITS } from '../shared/limits.ts';
import { truncate } from '../shared/split-markdown.ts';
import { escapeMrkdwn, toMrkdwn } from './render.ts';

/** One finished result for the Home tab. */
export interface HomeResult {
  run: BenchRun;
  /** The result's first claim check (what it says about the article), if any. */
  summary?: string | undefined;
  /** Where its chart was uploaded. */
  chart?: string | undefined;
}

/** What the Home tab shows; `runs` is undefined where benchmarks from chat are off. */
export interface HomeInput {
  /** The help text (chat Markdown), generated from the command table. */
  help: string;
  /** The runs the queue knows, any order; undefined without the benchmark queue (or when they could not be read). */
  runs?: readonly BenchRun[] | undefined;
  /** True when the queue is on but its runs could not be read (Redis down): the tab says so instead of listing them. */
  runsUnavailable?: boolean;
  /** The viewer, as Slack names them (`U123`). */
  user: string;
  results?: readonly HomeResult[];
  /** When the view was built (shown, so a stale tab is recognisable). */
  now: Date;
  /** A command as the user types it here, in code quotes (the catalog's `command`). */
  command: (name: 'bench' | 'results', args?: string) => string;
}

const section = (text: string): types.SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});

const what = (run: BenchRun) =>
  escapeMrkdwn(
    [run.request.workloads?.join(', ') ?? 'all workloads', run.request.engines?.join(', ') ?? 'all engines']
      .concat(run.request.device && run.request.device !== 'auto' ? [run.request.device] : [])
      .join(' · '),
  );

/** The runs of `user`, newest first. */
export function recentRunsOf(runs: readonly BenchRun[], user: string, limit = 5): BenchRun[] {
  return runs
    .filter((r) => r.requester.userId === `slack:${user}`)
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit);
}

/** Finished runs with a result, newest first. */
export function lastResultRuns(runs: readonly BenchRun[], limit = 3): BenchRun[] {
  return runs
    .filter((r) => r.resultId && r.status !== 'queued' && r.status !== 'running')
    .sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt))
    .slice(0, limit);
}

/**
 * The Home view.
 * @example homeView({ help, user: 'U1', runs: [], now: new Date(), command }).type // 'home'
 */
export function homeView(input: HomeInput): types.HomeView {
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'TensorDuel', emoji: true } },
    section(
      'TensorFlow vs PyTorch answers from the article, a framework recommendation for your project, and benchmarks run on this host.',
    ),
    section(toMrkdwn(input.help)),
    { type: 'divider' },
  ];
  const runs = input.runs;
  if (input.runsUnavailable) {
    blocks.push(
      section(
        `*Benchmarks*\nThe benchmark queue's runs are unavailable right now, so the queue, your runs and the last results are not shown. Open this tab again in a moment; ${input.command('bench')} may still work.`,
      ),
    );
  } else if (!runs) {
    blocks.push(section('*Benchmarks*\nBenchmarks from chat are off on this host.'));
  } else {
    const active = runs
      .filter((r) => r.status === 'queued' || r.status === 'running')
      .sort((a, b) => a.createdAt - b.createdAt);
    blocks.push(
      section(
        [
          '*Benchmark queue*',
          ...(active.length === 0
            ? ['Nothing queued or running.']
            : active
                .slice(0, 10)
                .map(
                  (r, i) =>
                    `${i + 1}. \`${r.id}\` ${r.status === 'running' ? 'running' : 'queued'}: ${what(r)}, for <@${r.requester.userId.replace(/^slack:/, '')}>${r.progress ? ` (${escapeMrkdwn(r.progress)})` : ''}`,
                )),
        ].join('\n'),
      ),
    );
    const mine = recentRunsOf(runs, input.user);
    blocks.push(
      section(
        [
          '*Your recent runs*',
          ...(mine.length === 0
            ? [`None yet: try ${input.command('bench')}.`]
            : mine.map((r) => `• \`${r.id}\` ${r.status}: ${what(r)}`)),
        ].join('\n'),
      ),
    );
    const results = input.results ?? [];
    blocks.push(section('*Last results*'));
    if (results.length === 0) blocks.push(section('No benchmark has finished yet.'));
    for (const r of results)
      blocks.push(
        section(
          `\`${r.run.id}\` ${what(r.run)}${r.summary ? `\n${escapeMrkdwn(r.summary)}` : ''}${r.chart ? `\n<${r.chart}|Chart>` : ''}\n${input.command('results', r.run.id)} shows it in full.`,
        ),
      );
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Updated ${input.now.toISOString().replace('T', ' ').slice(0, 16)} UTC` },
    ],
  });
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocksPerView) };
}
