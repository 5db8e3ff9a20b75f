/**
 * The advisor: one brain behind every chat. A learned model reads the message (typo correction, intent, topic, slot
 * and turn heads, and a route head stacked on them); the dialogue policy acts on it with the conversation's memory
 * (last topic, last answer, recommendation profile): moves on the memory (an answer to its clarifying question, an
 * elliptical follow-up) first, then, for a message that stands on its own, what the route head decided. Every
 * decision is recorded in `Reply.explain`.
 */

import { asTensorDuelError } from './errors.ts';
import { inspectInput, MAX_MESSAGE_CHARS } from './input.ts';
import type { KnowledgeEntry } from './knowledge/schema.ts';
import { otherFrameworksNamed } from './nlu/features.ts';
import type { TurnLabel } from './nlu/labels.ts';
import type { Analysis, NluModel, TopicScore } from './nlu/NluModel.ts';
import type { AppStore, Clock, ConversationMemory, Logger } from './ports.ts';
import { decide, type RecommendationStep } from './recommend/recommender.ts';
import { isSkip, SLOT_ORDER, type SlotName } from './recommend/slots.ts';
import { redactTokens } from './redact.ts';
import { frameworksNamed } from './retrieval/text.ts';
import { round3 } from './round.ts';
import { fnv1a } from './seeded.ts';
import {
  type ConversationState,
  conversationsIn,
  type LastTurn,
  type RecommendationProfile,
  type RecommendationSlots,
} from './state.ts';
import type {
  AdvisorApi,
  Choice,
  Explanation,
  FeedbackInput,
  IncomingMessage,
  Intent,
  Reply,
  ReplyKind,
  ReplyPart,
  Source,
} from './types.ts';

/**
 * This host's own measurements for a knowledge entry: null when the entry is not about performance, else the
 * line from the newest benchmark that measured it (`line: null` when none has).
 */
export type MeasurementLookup = (entryId: string) => Promise<{ line: string | null } | null>;

/** What the advisor is built from. */
export interface AdvisorDeps {
  nlu: NluModel;
  /** Where the admin report's feedback and counts go, and conversations unless `memory` says otherwise. */
  store: Pick<AppStore, 'conversations' | 'feedback'>;
  clock: Clock;
  logger: Logger;
  /** Inactivity after which a conversation's memory is forgotten. Default 30 minutes. */
  memoryTtlMs?: number;
  /** Grounds performance answers in this host's measurements (see core/bench). */
  measurements?: MeasurementLookup;
  /** Where conversations are remembered (Redis when replicas share them); default: in `store`. */
  memory?: ConversationMemory;
}

/** The default memory lifetime. */
export const DEFAULT_MEMORY_TTL_MS = 30 * 60 * 1000;

const CAPABILITIES = [
  '- **Ask** about TensorFlow vs PyTorch: speed, ease of use, architecture, community, use cases, code, FAQs.',
  "- **Recommend**: describe your project (domain, scale, team experience, research or production) and I pick a framework with the article's reasons.",
  '- **Benchmark**: run the same workloads on both engines on this host (`/tensorduel bench` in Slack, `/bench` in Discord, `tensorduel bench` in a terminal).',
].join('\n');

const text = (t: string): ReplyPart => ({ type: 'text', text: t });
const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

function baseReply(intent: Intent, confidence: number, parts: ReplyPart[], kind: ReplyKind): Reply {
  return { intent, confidence, parts, sources: [], framework: null, suggestions: [], choices: [], kind };
}

/** Moves of the turn head that only mean something against the last reply. */
const FOLLOW_UP_MOVES: ReadonlySet<TurnLabel> = new Set(['why', 'other-framework', 'verdict-again']);

const NAMES = { tensorflow: 'TensorFlow', pytorch: 'PyTorch', either: 'either framework' } as const;
const SLOT_LABELS: Record<SlotName, Record<string, string>> = {
  goal: { research: 'research / prototyping', production: 'production' },
  scale: { 'large-distributed': 'large-scale distributed training', 'single-machine': 'one machine' },
  domain: {
    vision: 'computer vision',
    language: 'language / NLP',
    multimodal: 'images and text together',
    'reinforcement-learning': 'reinforcement learning',
    other: 'another kind of data',
  },
  experience: { beginner: 'new to deep learning', experienced: 'an experienced team' },
};

function describeSlots(slots: RecommendationSlots): string[] {
  return SLOT_ORDER.flatMap((k) => {
    const v = slots[k];
    return v ? [SLOT_LABELS[k][v] ?? v] : [];
  });
}

/** The platform-agnostic advisor. */
export class Advisor implements AdvisorApi {
  readonly #d: AdvisorDeps & { memoryTtlMs: number };

  constructor(deps: AdvisorDeps) {
    this.#d = { ...deps, memoryTtlMs: deps.memoryTtlMs ?? DEFAULT_MEMORY_TTL_MS };
  }

  /** Answers one message. Never throws: internal failures become a friendly error reply and are logged. */
  async handle(message: IncomingMessage): Promise<Reply> {
    try {
      return await this.#handle(message);
    } catch (err) {
      const e = asTensorDuelError(err);
      this.#d.logger.error('advisor failed to answer', {
        code: e.code,
        error: e,
        conversation: message.conversationId,
      });
      return baseReply(
        'unknown',
        0,
        [
          text(
            "Sorry, something went wrong on my side while answering that. I'm still here: please try again.",
          ),
        ],
        'error',
      );
    }
  }

  /** Records a 👍/👎 on an answer in the feedback repository (a 👎 also among the unanswered, for the report). */
  async recordFeedback(f: FeedbackInput): Promise<void> {
    const at = this.#d.clock.now();
    await this.#d.store.feedback.record({
      feedback: { ...f, question: f.question.slice(0, MAX_MESSAGE_CHARS), at },
      ...(f.vote === 'down'
        ? {
            unanswered: {
              at,
              conversation: conversationHash(f.conversationId),
              question: redactTokens(f.question).slice(0, 300),
              reason: 'thumbs-down',
              topic: f.entryId,
            },
          }
        : {}),
    });
  }

  async #handle(message: IncomingMessage): Promise<Reply> {
    const input = inspectInput(message.text);
    if (!input.ok) return this.#inputProblem(input.problem, input.length);
    const now = this.#d.clock.now();
    const memories = this.#d.memory ?? conversationsIn(this.#d.store);
    const stored = await memories.get(message.conversationId);
    // Memory expires after a period of inactivity; a fresh conversation starts empty.
    const memory = stored && now - stored.updatedAt <= this.#d.memoryTtlMs ? stored : undefined;
    const a = await this.#d.nlu.analyze(input.text, { slotsMatter: memory?.recommendation !== undefined });
    const explain: Explanation[] = [];
    if (a.corrections.length > 0)
      explain.push({
        stage: 'spelling',
        decision: a.text,
        features: a.corrections.map((c) => `${c.from}→${c.to}`),
      });
    explain.push({
      stage: 'intent',
      decision: a.intents[0]?.label ?? 'unknown',
      scores: Object.fromEntries(a.intents.slice(0, 3).map((i) => [i.label, round3(i.p)])),
      features: a.cues,
    });
    explain.push({
      stage: 'topic',
      decision: a.topics[0]?.entry.id ?? '-',
      scores: Object.fromEntries(a.topics.slice(0, 3).map((t) => [t.entry.id, round3(t.score)])),
      features: a.topics
        .slice(0, 3)
        .map((t) => `${t.entry.id}: head ${round3(t.head)}, retrieval ${round3(t.retrieval)}`),
    });
    if (memory?.last || memory?.recommendation)
      explain.push({
        stage: 'turn',
        decision: a.turn.turn,
        scores: { [a.turn.best.label]: a.turn.best.p },
      });
    if (Object.keys(a.slotScores).length > 0)
      explain.push({
        stage: 'slots',
        decision: describeSlots(a.slots).join(', ') || '-',
        scores: Object.fromEntries(
          Object.entries(a.slotScores).map(([slot, v]) => [`${slot}=${v.value}`, v.p]),
        ),
        ...(Object.values(a.slotScores).some((v) => v.clause)
          ? {
              features: Object.entries(a.slotScores)
                .filter(([, v]) => v.clause)
                .map(([slot, v]) => `${slot} from the clause "${v.clause}"`),
            }
          : {}),
      });
    explain.push({
      stage: 'route',
      decision: a.route.route,
      scores: Object.fromEntries(a.route.ranked.slice(0, 3).map((r) => [r.route, r.p])),
      features: a.route.because,
    });
    const outcome = await this.#decide(a, memory, explain);
    await this.#remember(
      message.conversationId,
      outcome.memory,
      outcome.reply,
      input.text,
      memory?.last?.question,
    );
    const reply = outcome.reply;
    if (outcome.record) explain.push(outcome.record);
    reply.explain = explain;
    return reply;
  }

  /** The dialogue policy: what to do with this analysis, given the conversation's memory. */
  async #decide(
    a: Analysis,
    memory: ConversationState | undefined,
    explain: Explanation[],
  ): Promise<Outcome> {
    const cal = this.#d.nlu.calibration;
    const top = a.intents[0] ?? { label: 'unknown' as const, p: 0 };
    const slots = a.slots;
    const profile = memory?.recommendation;
    const hasSlots = Object.keys(slots).length > 0;
    /** The message has the form of a question (a question mark, or a question word first). */
    const asks = a.cues.includes('question-mark') || a.cues.includes('starts-with-question-word');
    const policy = (decision: string, features?: string[]) =>
      explain.push({ stage: 'policy', decision, ...(features ? { features } : {}) });

    // An answer to a clarifying question (in free words, or "not sure") continues the recommendation.
    if (
      profile?.pending &&
      (hasSlots || isSkip(a.text)) &&
      !(top.label === 'faq' && a.cues.includes('starts-with-question-word'))
    ) {
      policy('recommend: answers the pending question', [`pending ${profile.pending}`]);
      const asked = hasSlots ? profile.asked : [...profile.asked, profile.pending];
      return this.#recommend(a, revise(profile, slots, a.turn.turn), asked, profile);
    }
    // A reply to the clarifying question that says nothing readable ("mostly for learning") and asks nothing of
    // its own gets the question again, not "out of scope".
    if (
      profile?.pending &&
      !hasSlots &&
      (top.label === 'unknown' ||
        top.label === 'followup' ||
        (top.label === 'faq' && (a.topics[0]?.score ?? 0) < cal.answer)) &&
      !asks
    ) {
      policy('recommend: a reply to the pending question it cannot read; asks again', [
        `pending ${profile.pending}`,
      ]);
      return this.#recommend(a, profile.slots, profile.asked, profile, { unclear: true });
    }
    // Moves on the memory: an elliptical follow-up, or a question the turn head reads as a move against the last
    // reply ("back to the framework thing, why tensorflow?"), whatever the intent head made of its words.
    if (top.label === 'followup' && memory?.last) return this.#followUp(a, memory, memory.last, policy);
    if (top.label === 'faq' && memory?.last && this.#movesOnMemory(a, memory, memory.last))
      return this.#followUp(a, memory, memory.last, policy);
    // New facts while a recommendation is under way ("we're actually all new to neural nets") revise it.
    if ((top.label === 'followup' || top.label === 'recommend') && profile && hasSlots) {
      policy('recommend: new facts revise the profile');
      return this.#recommend(a, revise(profile, slots, a.turn.turn), profile.asked, profile);
    }
    // A message that stands on its own: the route head, trained on what the intent, topic and slot models read of
    // held-out examples, decides what to do with it.
    const route = a.route;
    const why = [`p ${route.ranked[0]?.p ?? 0}`];
    switch (route.route) {
      case 'recommend':
        // Facts about the project: later facts revise the profile this conversation already has.
        policy(profile ? 'recommend: route head; revises the profile' : 'recommend: route head', why);
        return this.#recommend(
          a,
          profile ? revise(profile, slots, a.turn.turn) : slots,
          profile?.asked ?? [],
          profile,
        );
      case 'unknown':
        policy('out of scope: route head', why);
        return { reply: this.#outOfScope(route.ranked[0]?.p ?? 0), memory: offTopic(a.text) };
      case 'help':
      case 'smalltalk':
      case 'benchmark':
        policy(`${route.route}: route head`, why);
        return {
          reply: this.#intentReply(route.route, route.ranked[0]?.p ?? 0, a.text),
          memory: { intent: route.route },
        };
      default:
        policy('faq: route head', why);
    }
    return this.#topicReply(a.topics, a.text, policy, memory, { standalone: a });
  }

  /** Answers, answers together, offers, or rejects from a topic ranking. */
  async #topicReply(
    topics: TopicScore[],
    question: string,
    policy: (decision: string, features?: string[]) => void,
    memory: ConversationState | undefined,
    how: {
      /** Bars other than the calibrated ones (a follow-up read with the previous question). */
      bar?: { answer: number; margin: number };
      /** The analysis of a message that stands on its own (no move on the memory). */
      standalone?: Analysis;
    } = {},
  ): Promise<Outcome> {
    const { bar, standalone } = how;
    const cal = this.#d.nlu.calibration;
    const [t1, t2, t3] = topics;
    // A message on its own whose answer would be the article's recommendations pulling opposite ways ("which
    // framework should I use?": TensorFlow for large scale, PyTorch for research), or a factless choice whose answer
    // would hold one of them ("should i use pytorch or tensorflow?"), asks: nothing decisive is known.
    const answerTogether = (entries: KnowledgeEntry[], why: string, features: string[]) => {
      const verdicts = new Set(entries.flatMap((e) => (e.verdict ? [e.verdict] : [])));
      // No fact, and no one framework asked about ("when does the article recommend pytorch" is about that one).
      const factless = (m: Analysis) =>
        Object.keys(m.slots).length === 0 && frameworksNamed(m.text).size !== 1;
      if (standalone && (verdicts.size > 1 || (verdicts.size > 0 && factless(standalone)))) {
        policy('recommend: a choice with nothing decisive known; asks', features);
        return this.#recommend(standalone, standalone.slots, [], undefined);
      }
      policy(why, features);
      return this.#answer(entries, question, t1?.score ?? 0, memory);
    };
    const answerBar = bar?.answer ?? cal.answer;
    const marginBar = bar?.margin ?? cal.margin;
    if (!t1 || t1.score < cal.suggest) {
      policy('out of scope: no topic reaches the suggestion bar', [
        `top ${round3(t1?.score ?? 0)} < ${cal.suggest}`,
      ]);
      return { reply: this.#outOfScope(t1?.score ?? 0), memory: offTopic(question) };
    }
    const gap =
      cal.marginOn === 'head'
        ? t1.head - Math.max(0, ...topics.slice(1).map((t) => t.head))
        : t1.score - (t2?.score ?? 0);
    // The topic head splitting its belief between rows of one section ("tf vs pt performance?") asks for both.
    const split = topics
      .slice(1, 3)
      .filter((t) => t.entry.section === t1.entry.section && t.head >= 0.2 && t.head >= 0.6 * t1.head);
    if (t1.score >= answerBar && split.length > 0)
      return answerTogether(
        [t1.entry, ...split.map((t) => t.entry)],
        'composite: the topic head splits between parts of one comparison',
        [t1.entry.id, ...split.map((t) => `${t.entry.id} head ${round3(t.head)}`)],
      );
    if (t1.score >= answerBar && gap >= marginBar) {
      policy('answer', [
        `score ${round3(t1.score)} ≥ ${round3(answerBar)}`,
        `lead ${round3(gap)} ≥ ${marginBar}`,
      ]);
      return this.#answer([t1.entry], question, t1.score, memory);
    }
    // Close topics that are parts of one comparison are answered together; different topics are offered.
    const together = [t2, t3].filter(
      (t): t is TopicScore =>
        t !== undefined &&
        t.score >= cal.suggest &&
        t1.score - t.score < 0.15 &&
        sameComparison(t1.entry, t.entry),
    );
    if (together.length > 0)
      return answerTogether(
        [t1.entry, ...together.map((t) => t.entry)],
        'composite: close topics of one comparison',
        [t1.entry.id, ...together.map((t) => t.entry.id)],
      );
    policy('suggest: close topics that differ', [
      `score ${round3(t1.score)}`,
      `lead ${round3(gap)} < ${marginBar}`,
    ]);
    const options = topics.filter((t, i) => i < 2 || t.score >= t1.score - 0.08).slice(0, 3);
    return {
      reply: {
        ...baseReply(
          'faq',
          clamp01(t1.score),
          [text("I'm not sure which topic you mean. Did you mean one of these?")],
          'suggest',
        ),
        suggestions: options.map((o) => o.entry.title),
        choices: options.map((o) => ({ label: o.entry.title, value: o.entry.question })),
      },
      memory: { intent: 'faq', last: { question, kind: 'suggest', entries: options.map((o) => o.entry.id) } },
    };
  }

  /**
   * Whether a message the intent head read as a question makes a move the memory can take: the reasons of a verdict
   * or of an answer, the verdict again, the other framework. A question whose own topic is a clear new answer is a
   * question ("why is pytorch more popular in research?" after the training-speed answer), not the reasons of the
   * last answer.
   */
  #movesOnMemory(a: Analysis, memory: ConversationState, last: LastTurn): boolean {
    const move = a.turn.turn;
    if (!FOLLOW_UP_MOVES.has(move)) return false;
    const profile = memory.recommendation;
    const afterVerdict = last.kind === 'verdict' || last.kind === 'clarify';
    const verdictContext = !!profile && (afterVerdict || profile.verdict !== undefined);
    const t1 = a.topics[0];
    const ownNewTopic =
      !!t1 && t1.score >= this.#d.nlu.calibration.answer && !last.entries.includes(t1.entry.id);
    if (move === 'verdict-again') return verdictContext;
    if (move === 'why')
      return (
        (verdictContext && (afterVerdict || last.entries.length === 0)) ||
        (last.entries.length > 0 && last.kind !== 'suggest' && !ownNewTopic)
      );
    return (last.entries.length > 0 && !ownNewTopic) || (verdictContext && afterVerdict);
  }

  /** Resolves an elliptical follow-up against the last turn. */
  async #followUp(
    a: Analysis,
    memory: ConversationState,
    last: LastTurn,
    policy: (decision: string, features?: string[]) => void,
  ): Promise<Outcome> {
    const profile = memory.recommendation;
    const slots = a.slots;
    const named = frameworksNamed(a.text);
    // "what about jax though?": a follow-up that moves to a framework the last answer doesn't mention is out of
    // scope, however the previous turn went ("and onnx?" after the answer whose note names ONNX is not).
    const others = otherFrameworksNamed(a.text);
    const lastText = last.entries
      .map((id) => this.#d.nlu.entry(id))
      .map((e) => `${e?.answer ?? ''} ${e?.note ?? ''}`.toLowerCase())
      .join(' ');
    if (named.size === 0 && others.length > 0 && !others.some((o) => lastText.includes(o))) {
      policy('out of scope: a follow-up about a framework the article does not cover');
      return { reply: this.#outOfScope(a.intents[0]?.p ?? 0), memory: offTopic(a.text) };
    }
    // What the turn does to the conversation is the turn head's reading (why / the other framework / the verdict
    // again / another aspect), acted on against what the memory holds.
    const move = a.turn.turn;
    const afterVerdict = last.kind === 'verdict' || last.kind === 'clarify';
    const turnHead = [`turn ${move} (${a.turn.best.label} p ${a.turn.best.p})`];
    if (move === 'why') {
      // After the verdict, or after a turn with nothing to explain (an off-topic detour): the verdict's reasons.
      if (profile && (afterVerdict || (profile.verdict !== undefined && last.entries.length === 0))) {
        policy('follow-up: the reasons behind the last verdict', turnHead);
        return this.#recommend(a, profile.slots, profile.asked, profile, { why: true });
      }
      const entries = last.entries.map((id) => this.#d.nlu.entry(id)).filter((e): e is KnowledgeEntry => !!e);
      if (entries.length > 0 && last.kind !== 'suggest') {
        policy('follow-up: the reasons behind the last answer', [...turnHead, ...entries.map((e) => e.id)]);
        return this.#answer(entries, last.question, 1, memory, { why: true });
      }
    }
    // New facts revise the project's verdict, right after it or after a detour through other questions ("ok back
    // to it: we'll train across 64 nodes").
    if (profile && (afterVerdict || profile.verdict !== undefined) && Object.keys(slots).length > 0) {
      policy('follow-up: new facts revise the verdict', turnHead);
      return this.#recommend(a, revise(profile, slots, move), profile.asked, profile);
    }
    // "so still pytorch for us?" asks the verdict again, after a detour too; "what about pytorch then?" right after
    // a verdict asks about the verdict, not about an entry it cited.
    if (
      profile &&
      (afterVerdict || profile.verdict !== undefined) &&
      (move === 'verdict-again' || (afterVerdict && move === 'other-framework'))
    ) {
      policy('follow-up: the reasons for and against, after a verdict', turnHead);
      return this.#recommend(a, profile.slots, profile.asked, profile, { why: true });
    }
    const lastEntry = last.entries[0] ? this.#d.nlu.entry(last.entries[0]) : undefined;
    if (move === 'other-framework' && lastEntry && named.size <= 1) {
      // "what about pytorch?", "and the other one?": the same question about the other framework.
      const fw =
        ([...named][0] as 'tensorflow' | 'pytorch' | undefined) ??
        (lastEntry.focus === 'tensorflow'
          ? 'pytorch'
          : lastEntry.focus === 'pytorch'
            ? 'tensorflow'
            : undefined);
      const counterpart =
        fw && lastEntry.focus && lastEntry.focus !== fw ? this.#counterpart(lastEntry, fw) : lastEntry;
      if (counterpart) {
        policy('follow-up: the same question about the other framework', [
          ...turnHead,
          lastEntry.id,
          counterpart.id,
        ]);
        return this.#answer([counterpart], a.text, 1, memory);
      }
    }
    // "and at inference time?": the follow-up's own words, read with the previous question.
    const withContext = await this.#d.nlu.rankTopics(`${last.question} ${a.text}`);
    const ctx = new Map(withContext.map((t) => [t.entry.id, t.score]));
    const blended = a.topics
      // Context can only help a follow-up's own words, never drown them.
      .map((t) => ({ ...t, score: Math.max(t.score, 0.6 * t.score + 0.4 * (ctx.get(t.entry.id) ?? 0)) }))
      .sort((x, y) => y.score - x.score);
    // A follow-up whose own best topic is new asks about that ("and for serving?" after training speed): the
    // previous answer's entries no longer compete with it for the lead.
    if (blended[0] && !last.entries.includes(blended[0].entry.id) && last.kind !== 'suggest') {
      const fresh = blended.filter((t) => !last.entries.includes(t.entry.id));
      blended.splice(0, blended.length, ...fresh);
    }
    policy('follow-up: topic read with the previous question', [
      ...turnHead,
      `previous ${last.entries.join(',') || '-'}`,
    ]);
    const cal = this.#d.nlu.calibration;
    const previousEntries = last.entries
      .map((id) => this.#d.nlu.entry(id))
      .filter((e): e is KnowledgeEntry => !!e);
    // Nothing new stands out ("which came first?"): the follow-up is about what was just answered, unless the turn
    // head reads a message that stands on its own ("what is the capital of France?"), which then matches nothing.
    if (
      (blended[0]?.score ?? 0) < cal.suggest &&
      previousEntries.length > 0 &&
      last.kind !== 'suggest' &&
      move !== 'new'
    ) {
      policy(
        'follow-up: no new topic stands out; the previous answer',
        previousEntries.map((e) => e.id),
      );
      return this.#answer(previousEntries, last.question, blended[0]?.score ?? 0, memory);
    }
    return this.#topicReply(blended, `${last.question} ${a.text}`, policy, memory, {
      bar: { answer: cal.suggest, margin: cal.margin },
    });
  }

  #counterpart(entry: KnowledgeEntry, fw: 'tensorflow' | 'pytorch'): KnowledgeEntry | undefined {
    const candidates = [...entry.related, ...this.#d.nlu.entryIds()]
      .map((id) => this.#d.nlu.entry(id))
      .filter(
        (e): e is KnowledgeEntry =>
          !!e && e.focus === fw && e.section.split(':')[0] === entry.section.split(':')[0],
      );
    return (
      candidates[0] ??
      entry.related.map((id) => this.#d.nlu.entry(id)).find((e): e is KnowledgeEntry => !!e && e.focus === fw)
    );
  }

  #intentReply(intent: 'help' | 'smalltalk' | 'benchmark', p: number, question: string): Reply {
    const confidence = clamp01(p);
    if (intent === 'help')
      return baseReply(
        'help',
        confidence,
        [
          text(`I'm **TensorDuel**, your TensorFlow vs PyTorch advisor. I can:\n${CAPABILITIES}`),
          text(
            'Try: _Which framework trains faster?_ · _Is PyTorch easier for beginners?_ · _We do NLP research on one GPU_',
          ),
        ],
        'intent',
      );
    if (intent === 'smalltalk')
      return baseReply('smalltalk', confidence, [text(smalltalk(question))], 'intent');
    return baseReply(
      'benchmark',
      confidence,
      [
        text(
          "I can measure that on this host. A question alone never starts a run: it waits for a command or a click. It runs the same workloads on both engines, one after another: `mlp` (the article's 784-128-10 network on real MNIST digits), `cnn` (LeNet-5), `transformer` (one encoder block) and `matmul` (GEMM TFLOP/s), on TensorFlow, PyTorch, TensorFlow.js and ONNX Runtime where installed, on the GPU when there is one, else the CPU.",
        ),
        text(
          'Start it with the **Start benchmark** button where one is shown, the bench command of your chat (`/tensorduel bench` in Slack, `/bench` in Discord), or `tensorduel bench --workloads mlp,cnn` in a terminal. Results come back as tables, a chart, and lines saying where they support or contradict the article.',
        ),
      ],
      'intent',
    );
  }

  #inputProblem(problem: 'empty' | 'too-long' | 'no-words', length: number): Reply {
    const messages = {
      empty:
        'Your message was empty. Ask me about TensorFlow vs PyTorch, e.g. _Which one is easier to learn?_, or say **help**.',
      'too-long': `That message is too long for me (${length.toLocaleString('en-US')} characters; I read up to ${MAX_MESSAGE_CHARS.toLocaleString('en-US')}). Please ask your question in a sentence or two.`,
      'no-words':
        "I couldn't find any words in that message. Ask me about TensorFlow vs PyTorch, or say **help** to see what I can do.",
    } as const;
    return baseReply('unknown', 0, [text(messages[problem])], 'input-problem');
  }

  async #answer(
    entries: KnowledgeEntry[],
    question: string,
    score: number,
    memory: ConversationState | undefined,
    options: { why?: boolean } = {},
  ): Promise<Outcome> {
    const composite = entries.length > 1;
    const parts: ReplyPart[] = [];
    let offerBenchmark = false;
    if (options.why) parts.push(text("Here is the article's reasoning:"));
    for (const entry of entries) {
      if (composite) parts.push(text(`**${entry.title}** (_${entry.section}_)`));
      parts.push(text(entry.answer.trim()));
      for (const c of entry.code ?? [])
        parts.push({ type: 'code', language: c.language, code: c.code.replace(/\n+$/, '') });
      if (entry.note)
        parts.push(
          text(
            `⚠️ **${entry.note.startsWith('Today:') ? 'Today:**' : 'Note:**'}${entry.note.replace(/^Today:/, '')}`,
          ),
        );
      const measured = await this.#d.measurements?.(entry.id).catch(() => null);
      if (measured?.line) parts.push(text(measured.line));
      else if (measured) {
        offerBenchmark = true;
        parts.push(
          text(
            'Nothing has been measured on this host yet: a benchmark (the **Start benchmark** button, or the bench command) puts both engines side by side here.',
          ),
        );
      }
    }
    const first = entries[0] as KnowledgeEntry;
    const shown = new Set(entries.map((e) => e.id));
    const followups: Choice[] = first.related
      .filter((id) => !shown.has(id))
      .map((id) => this.#d.nlu.entry(id))
      .filter((e): e is KnowledgeEntry => !!e)
      .slice(0, 3)
      .map((e) => ({ label: e.title, value: e.question }));
    const topics = [...entries.map((e) => e.id), ...(memory?.topics ?? [])];
    return {
      reply: {
        ...baseReply('faq', clamp01(score), parts, composite ? 'composite' : 'answer'),
        // The article's recommendation for a criterion ("TensorFlow, for large-scale deep learning") is a verdict.
        ...(!composite && first.verdict ? { framework: first.verdict } : {}),
        sources: entries.map((e) => ({ id: e.id, section: e.section })),
        feedback: { entryId: first.id, question },
        followups,
        ...(offerBenchmark ? { offerBenchmark } : {}),
      },
      memory: {
        intent: 'faq',
        last: { question, kind: composite ? 'composite' : 'answer', entries: entries.map((e) => e.id) },
        topics: [...new Set(topics)].slice(0, 5),
      },
    };
  }

  #outOfScope(confidence: number): Reply {
    return baseReply(
      'unknown',
      clamp01(confidence),
      [
        text(
          "That's outside what I can answer. I only know the article *TensorFlow vs PyTorch: A Comprehensive Comparison of the Two AI Powerhouses*, so I'd rather not guess.",
        ),
        text(`What I can do:\n${CAPABILITIES}`),
      ],
      'out-of-scope',
    );
  }

  #recommend(
    a: Analysis,
    slots: RecommendationSlots,
    asked: SlotName[],
    previous: RecommendationProfile | undefined,
    options: { why?: boolean; unclear?: boolean } = {},
  ): Outcome {
    const step = decide(slots, asked);
    const known = describeSlots(slots);
    const before = previous ? describeSlots(previous.slots) : [];
    const added = known.filter((k) => !before.includes(k));
    if (step.kind === 'ask') {
      const profile: RecommendationProfile = {
        slots,
        asked,
        pending: step.slot,
        added: addedSlots(previous, slots),
      };

      const lean =
        step.leaning === null
          ? 'Nothing you said so far tips it either way.'
          : 'So far the facts pull evenly, so I lean neither way yet.';
      const prefix = options.unclear
        ? "Sorry, I couldn't tell from that."
        : known.length > 0
          ? `Got it (${known.join(', ')}). ${lean}`
          : 'Happy to help you choose.';
      return {
        reply: {
          ...baseReply('recommend', 0.5, [text(`${prefix} One question: ${step.question}`)], 'clarify'),
          choices: step.choices,
        },
        memory: {
          intent: 'recommend',
          profile,
          last: { question: a.text, kind: 'clarify', entries: [] },
        },
        record: {
          stage: 'recommend',
          decision: `ask ${step.slot}`,
          features: [`leaning ${step.leaning ?? 'none'}`, ...known],
        },
      };
    }
    const reply = renderRecommendation(step);
    const intro: string[] = [];
    if (known.length > 0) intro.push(`Facts used: ${known.join(', ')}.`);
    if (previous?.verdict && added.length > 0) {
      intro.push(
        previous.verdict === step.framework
          ? `With ${added.join(', ')} added, the verdict stays the same.`
          : `${added.join(', ')} changes the verdict from ${NAMES[previous.verdict]} to ${NAMES[step.framework]}.`,
      );
    }
    if (options.why) intro.unshift("Here's why:");
    if (intro.length > 0) reply.parts.splice(1, 0, text(intro.join(' ')));
    return {
      reply,
      record: { stage: 'recommend', decision: `verdict ${step.framework}`, features: known },
      memory: {
        intent: 'recommend',
        profile: { slots, asked, verdict: step.framework, added: addedSlots(previous, slots) },
        last: { question: a.text, kind: 'verdict', entries: reply.sources.map((s) => s.id) },
      },
    };
  }

  async #remember(
    conversationId: string,
    m: MemoryUpdate,
    reply: Reply,
    question: string,
    previous: string | undefined,
  ): Promise<void> {
    const now = this.#d.clock.now();
    const ttl = this.#d.memoryTtlMs;
    // The admin report's counts, and the messages it could not answer well.
    const answered = ['answer', 'composite', 'verdict', 'clarify', 'intent'].includes(reply.kind ?? '');
    const counted = this.#d.store.feedback.record({
      reply: {
        intent: reply.intent,
        answered,
        topics: reply.intent === 'faq' && answered ? reply.sources.map((src) => src.id) : [],
      },
      ...(reply.kind === 'out-of-scope' || reply.kind === 'suggest'
        ? {
            unanswered: {
              at: now,
              conversation: conversationHash(conversationId),
              question: redactTokens(question).slice(0, 300),
              reason: reply.kind === 'suggest' ? 'ambiguous' : 'out-of-scope',
              ...(m.last?.entries[0] ? { topic: m.last.entries[0] } : {}),
              ...(previous ? { previous: redactTokens(previous).slice(0, 300) } : {}),
            },
          }
        : {}),
    });
    // The conversation's memory (in the store by default, in Redis when replicas share it), in parallel: the two
    // are separate aggregates with their own writes.
    const memories = this.#d.memory ?? conversationsIn(this.#d.store);
    const remembered = memories.update(conversationId, (old) => {
      const c: ConversationState = old && now - old.updatedAt <= ttl ? old : { updatedAt: now };
      c.updatedAt = now;
      c.lastIntent = m.intent;
      if (m.profile) c.recommendation = m.profile;
      else if (c.recommendation?.pending) {
        // A new question leaves a clarifying question unanswered: the profile stays, the question is dropped.
        const { pending: _dropped, ...rest } = c.recommendation;
        c.recommendation = rest;
      }
      if (m.last) c.last = { ...m.last, at: now };
      if (m.topics) c.topics = m.topics;
      return c;
    });
    await Promise.all([counted, remembered]);
  }
}

interface MemoryUpdate {
  intent: Intent;
  profile?: RecommendationProfile;
  last?: Omit<LastTurn, 'at'>;
  topics?: string[];
}

interface Outcome {
  reply: Reply;
  memory: MemoryUpdate;
  /** The deciding stage's own record, appended to the explanation. */
  record?: Explanation;
}

/** A short, stable hash of a conversation id (the report groups by it without holding platform ids). */
export function conversationHash(id: string): string {
  return fnv1a(id).toString(16).padStart(8, '0');
}

/** The slots this turn set or changed, against the profile before it. */
function addedSlots(previous: RecommendationProfile | undefined, slots: RecommendationSlots): SlotName[] {
  return SLOT_ORDER.filter((k) => slots[k] !== undefined && previous?.slots[k] !== slots[k]);
}

/** An out-of-scope turn ends the thread a follow-up could refer to ("why?" after it is not about the turn before). */
function offTopic(question: string): MemoryUpdate {
  return { intent: 'unknown', last: { question, kind: 'other', entries: [] } };
}

/**
 * The profile's facts with new ones merged in, as the turn head read the turn. Facts said `instead` replace the facts
 * the turn before added (they were what the new ones stand in for), besides any fact of their own slot.
 */
function revise(
  profile: RecommendationProfile,
  slots: RecommendationSlots,
  move: TurnLabel,
): RecommendationSlots {
  const merged: RecommendationSlots = { ...profile.slots };
  if (move === 'instead') for (const k of profile.added ?? []) delete merged[k];
  const next = { ...merged, ...slots };
  // A goal for later ("prod eventually") doesn't replace the goal of now ("mostly research").
  if (slots.goal && merged.goal && slots.goal !== merged.goal && move === 'later') next.goal = merged.goal;
  // Images on top of text ("we'd also like to classify X-rays in the same project") is both: multimodal.
  const pair = new Set([slots.domain, merged.domain]);
  if (pair.has('vision') && pair.has('language') && move === 'also') next.domain = 'multimodal';
  return next;
}

/** Two entries are parts of one comparison when they share an article section or name each other as related. */
function sameComparison(a: KnowledgeEntry, b: KnowledgeEntry): boolean {
  return a.section === b.section || (a.related.includes(b.id) && b.related.includes(a.id));
}

/** Renders a recommendation verdict with the article's reasons and the trade-off when reasons conflict. */
export function renderRecommendation(step: Extract<RecommendationStep, { kind: 'answer' }>): Reply {
  const parts: ReplyPart[] = [];
  const list = (items: Array<{ reason: string; source: Source }>) =>
    items.map((r) => `- ${r.reason} (_${r.source.section}_)`).join('\n');
  if (step.framework === 'either') {
    parts.push(
      text(
        step.conflict
          ? '**Recommendation: either — it is a genuine trade-off.** Your project pulls both ways:'
          : "**Recommendation: either.** Nothing you described tips the article's criteria one way, and it says the choice depends on your specific needs and goals.",
      ),
    );
  } else {
    parts.push(text(`**Recommendation: ${NAMES[step.framework]}.**`));
  }
  if (step.tensorflow.length > 0) parts.push(text(`For TensorFlow:\n${list(step.tensorflow)}`));
  if (step.pytorch.length > 0) parts.push(text(`For PyTorch:\n${list(step.pytorch)}`));
  if (step.conflict) {
    const winner = step.framework === 'either' ? null : NAMES[step.framework];
    parts.push(
      text(
        winner
          ? `**Trade-off:** the other side has real reasons too. ${winner} wins on the article's weighting; if the minority concern is the one that would hurt most (e.g. distributed training at scale, or iteration speed in research), weigh it more, and consider measuring both with the bench command.`
          : '**Trade-off:** the article gives no tie-breaker here. Pick the framework your team already knows, or measure both on your hardware with the bench command.',
      ),
    );
  }
  const sources = [
    ...new Map([...step.tensorflow, ...step.pytorch].map((r) => [r.source.id, r.source])).values(),
  ];
  if (sources.length === 0) sources.push({ id: 'conclusion', section: 'Conclusion' });
  return {
    ...baseReply('recommend', clamp01(0.5 + step.margin / 8), parts, 'verdict'),
    framework: step.framework,
    sources,
  };
}

function smalltalk(question: string): string {
  if (/\b(thanks?|thank you|thx|ty|cheers|appreciated?|great|awesome|nice|cool|good bot)\b/i.test(question))
    return "You're welcome! Ask me anything else about TensorFlow vs PyTorch.";
  if (/\b(bye|goodbye|see you|later|cya|good night)\b/i.test(question))
    return 'Bye! Come back when you need to pick a framework.';
  return "Hi! I'm TensorDuel. Ask me about TensorFlow vs PyTorch, describe your project for a recommendation, or say **help**.";
}
