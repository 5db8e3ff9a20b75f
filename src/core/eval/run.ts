/** Runs labelled single messages and dialogues through an advisor and tallies the grades (eval/README.md). */
import type { AdvisorApi, Reply } from '../types.ts';
import { type Expectation, type Grade, grade } from './score.ts';

/** One single-message item. */
export interface EvalItem extends Expectation {
  q: string;
}

/** One dialogue: turns in one conversation. */
export interface EvalDialogue {
  id: string;
  turns: Array<{ say: string; expect: Expectation }>;
}

/** Grade counts. */
export type Tally = Record<Grade, number>;

/** The figures of one set. */
export interface EvalSummary {
  turns: number;
  byIntent: Record<string, Tally>;
  /** Recommendation turns with an expected verdict: how many got it. */
  verdicts: { right: number; total: number };
  /** Every turn: how many were graded right. */
  right: number;
  misses: string[];
}

const emptyTally = (): Tally => ({ right: 0, offered: 0, wrong: 0, rejected: 0 });

/** Scores single items (each in a conversation of its own) and dialogues (one conversation each). */
export async function runEval(
  advisor: AdvisorApi,
  input: { items?: EvalItem[]; dialogues?: EvalDialogue[] },
  idOfTitle: (title: string) => string | undefined,
  prefix = 'eval',
): Promise<EvalSummary> {
  const summary: EvalSummary = {
    turns: 0,
    byIntent: {},
    verdicts: { right: 0, total: 0 },
    right: 0,
    misses: [],
  };
  const record = (reply: Reply, expect: Expectation, said: string, where: string) => {
    const g = grade(reply, expect, idOfTitle);
    const tally = summary.byIntent[expect.intent] ?? emptyTally();
    tally[g]++;
    summary.byIntent[expect.intent] = tally;
    summary.turns++;
    if (g === 'right') summary.right++;
    if (expect.intent === 'recommend' && expect.verdict) {
      summary.verdicts.total++;
      if (g === 'right') summary.verdicts.right++;
    }
    if (g !== 'right') {
      const got =
        reply.kind === 'verdict'
          ? `verdict ${reply.framework}`
          : `${reply.intent}/${reply.kind}${reply.sources.length ? ` ${reply.sources.map((s) => s.id).join('+')}` : ''}${reply.choices.length && reply.kind === 'suggest' ? ` [${reply.choices.map((c) => idOfTitle(c.label)).join(',')}]` : ''}`;
      const want = expect.verdict
        ? `verdict ${expect.verdict}`
        : `${expect.intent}${expect.entry ? ` ${expect.entry}` : ''}`;
      const intent = reply.explain?.find((e) => e.stage === 'intent');
      const policy = reply.explain
        ?.filter((e) => e.stage === 'policy')
        .map((e) => e.decision)
        .join('; ');
      summary.misses.push(
        `${g.padEnd(8)} ${where}: "${said}" → ${got} (want ${want}; intent ${JSON.stringify(intent?.scores ?? {})}; ${policy})`,
      );
    }
  };
  let n = 0;
  for (const item of input.items ?? []) {
    const reply = await advisor.handle({
      conversationId: `${prefix}:item:${n++}`,
      userId: 'eval:user',
      text: item.q,
    });
    record(reply, item, item.q, 'item');
  }
  for (const d of input.dialogues ?? []) {
    let t = 0;
    for (const turn of d.turns) {
      const reply = await advisor.handle({
        conversationId: `${prefix}:dialogue:${d.id}`,
        userId: 'eval:user',
        text: turn.say,
      });
      record(reply, turn.expect, turn.say, `${d.id}#${++t}`);
    }
  }
  return summary;
}

/** The headline percentages of a summary. */
export function headline(s: EvalSummary): Record<string, number | string> {
  const pct = (a: number, b: number) => (b === 0 ? '–' : Math.round((1000 * a) / b) / 10);
  const faq = s.byIntent.faq ?? emptyTally();
  const faqN = faq.right + faq.offered + faq.wrong + faq.rejected;
  const off = s.byIntent.unknown ?? emptyTally();
  const offN = off.right + off.offered + off.wrong + off.rejected;
  return {
    turns: s.turns,
    'right %': pct(s.right, s.turns),
    'faq right %': pct(faq.right, faqN),
    'faq offered %': pct(faq.offered, faqN),
    'faq wrong %': pct(faq.wrong, faqN),
    'off-topic rejected %': pct(off.right, offN),
    'off-topic answered': off.wrong,
    'verdict right %': pct(s.verdicts.right, s.verdicts.total),
  };
}
