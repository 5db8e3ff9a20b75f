/**
 * Scoring of whole replies against labelled expectations (eval/README.md): answered right / offered / wrong /
 * rejected for FAQ and off-topic items, verdict accuracy for recommendations, intent for the rest.
 */
import type { Reply } from '../types.ts';

/** What a labelled turn expects. */
export interface Expectation {
  intent: 'faq' | 'recommend' | 'benchmark' | 'help' | 'smalltalk' | 'unknown';
  entry?: string | undefined;
  accept?: string[] | undefined;
  verdict?: 'tensorflow' | 'pytorch' | 'either' | 'ask' | undefined;
}

/** How one reply scored. */
export type Grade = 'right' | 'offered' | 'wrong' | 'rejected';

/**
 * Grades one reply. A turn counts as correct only when its grade is `right`. `idOfTitle` maps a "Did you mean"
 * button's label (an entry title) back to its entry id.
 */
export function grade(
  reply: Reply,
  expect: Expectation,
  idOfTitle: (title: string) => string | undefined,
): Grade {
  const kind = reply.kind ?? inferKind(reply);
  const answered = reply.intent === 'faq' && (kind === 'answer' || kind === 'composite');
  if (expect.intent === 'faq') {
    const ok = new Set([expect.entry, ...(expect.accept ?? [])].filter((x): x is string => !!x));
    if (answered) return reply.sources.some((s) => ok.has(s.id)) ? 'right' : 'wrong';
    if (kind === 'suggest') {
      const offered = reply.choices.map((c) => idOfTitle(c.label));
      return offered.some((id) => id !== undefined && ok.has(id)) ? 'offered' : 'rejected';
    }
    // A verdict that gives the entry's recommendation (it cites the entry) answers from it.
    if (kind === 'verdict') return reply.sources.some((s) => ok.has(s.id)) ? 'right' : 'wrong';
    return 'rejected';
  }
  if (expect.intent === 'unknown') {
    if (kind === 'out-of-scope' || reply.intent === 'unknown') return 'right';
    return kind === 'suggest' ? 'offered' : 'wrong';
  }
  if (expect.intent === 'recommend') {
    // An answer from an entry that recommends one framework outright (its `verdict`) is that verdict.
    if (reply.intent !== 'recommend') {
      if (!answered) return 'rejected';
      return expect.verdict !== undefined && reply.framework === expect.verdict ? 'right' : 'wrong';
    }
    if (expect.verdict === undefined) return 'right';
    if (expect.verdict === 'ask') return kind === 'clarify' ? 'right' : 'wrong';
    // A tie is answered with a clarifying question that says the facts pull evenly: right for an expected "either".
    if (kind === 'clarify')
      return expect.verdict === 'either' &&
        reply.explain?.some((e) => e.stage === 'recommend' && e.features?.includes('leaning either'))
        ? 'right'
        : 'offered';
    return reply.framework === expect.verdict ? 'right' : 'wrong';
  }
  return reply.intent === expect.intent ? 'right' : answered ? 'wrong' : 'rejected';
}

/** The kind of a reply from an advisor that does not label its replies (used to score older builds alike). */
function inferKind(r: Reply): NonNullable<Reply['kind']> {
  if (r.intent === 'unknown') return 'out-of-scope';
  if (r.intent === 'recommend') return r.framework === null ? 'clarify' : 'verdict';
  if (r.intent === 'faq')
    return r.sources.length > 0 ? 'answer' : r.choices.length > 0 ? 'suggest' : 'out-of-scope';
  return 'intent';
}
