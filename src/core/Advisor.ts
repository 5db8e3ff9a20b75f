/** The advisor: one brain behind every chat. Routes a message, answers from the knowledge base, runs the recommendation dialogue. */
import { asTensorDuelError } from './errors.ts';
import { inspectInput, MAX_MESSAGE_CHARS } from './input.ts';
import type { IntentRouter, IntentScores } from './intents/IntentRouter.ts';
import type { KnowledgeEntry } from './knowledge/schema.ts';
import type { Clock, Embedder, Logger, Store } from './ports.ts';
import { decide, type RecommendationStep } from './recommend/recommender.ts';
import { extractSlots, isSkip, SLOT_ORDER, type SlotName, slotCueCount } from './recommend/slots.ts';
import type { KnowledgeIndex, RetrievalMode, ScoredEntry } from './retrieval/KnowledgeIndex.ts';
import { expandForEmbedding } from './retrieval/text.ts';
import { type AppState, type ConversationState, capState, type RecommendationSlots } from './state.ts';
import type {
  AdvisorApi,
  FeedbackInput,
  IncomingMessage,
  Intent,
  Reply,
  ReplyPart,
  Source,
} from './types.ts';

/** Decision thresholds, tuned on the dev set (`npm run eval`). */
export interface Thresholds {
  /** Fused score at or above which the top entry is answered (given the margin). */
  answer: number;
  /** Minimum lead of the top entry over the second for a clear answer. */
  margin: number;
  /** Fused score at or above which close topics are offered ("Did you mean"). */
  suggest: number;
  /** Minimum intent score for help / smalltalk / benchmark / recommend to win over the knowledge base. */
  intent: number;
  /**
   * A stricter answer bar for questions that name neither framework nor the article: general ML questions
   * ("how many epochs for a resnet?") share words with the knowledge base without being about it, so below this
   * bar they get "Did you mean …" instead of an answer. Defaults to `answer`.
   */
  unnamedAnswer?: number;
}

/** The tuned defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  answer: 0.45,
  margin: 0.03,
  suggest: 0.45,
  intent: 0.6,
  unnamedAnswer: 0.55,
};

/** What the advisor is built from. */
export interface AdvisorDeps {
  index: KnowledgeIndex;
  router: IntentRouter;
  embedder: Embedder;
  store: Store<AppState>;
  clock: Clock;
  logger: Logger;
  thresholds?: Thresholds;
  mode?: RetrievalMode;
}

/** A routing decision with the scores that led to it (exposed for evaluation). */
export interface Routing {
  intent: Intent;
  ranked: ScoredEntry[];
  intents: IntentScores;
  outcome: 'answer' | 'ambiguous' | 'out-of-scope' | 'intent';
}

const CAPABILITIES = [
  '- **Ask** about TensorFlow vs PyTorch: speed, ease of use, architecture, community, use cases, code, FAQs.',
  "- **Recommend**: describe your project (domain, scale, research or production, team experience) and I pick a framework with the article's reasons.",
  '- **Benchmark**: run the same workloads on both engines on this host (`/tensorduel bench` in Slack, `/bench` in Discord, `tensorduel bench` in a terminal).',
].join('\n');

const text = (t: string): ReplyPart => ({ type: 'text', text: t });

function baseReply(intent: Intent, confidence: number, parts: ReplyPart[]): Reply {
  return { intent, confidence, parts, sources: [], framework: null, suggestions: [], choices: [] };
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

const ASKS_CHOICE =
  /\b(which|should|recommend\w*|choose|pick|go with|better for|use for|suggest\w*|advice|advise|tf or torch|tensorflow or pytorch|pytorch or tensorflow|torch or tf)\b/i;
const ABOUT_PROJECT =
  /\b(we|we're|our|us|my|i'm|i am|team|startup|company|project|building|planning|lab|here)\b/i;
const BENCH_VERB =
  /\b(bench(mark)?|time|profile|measure|run|kick off|race|speed[- ]?test|perf (test|comparison))\b/i;
const BENCH_TARGET =
  /\b(my|our|this|here|the (gpu|cpu|machine|host|server|box)|setup|hardware|rig|box|a100|h100|rtx|gpu)\b/i;
const FRAMEWORK = /\b(tensorflow|tf2?|keras|pytorch|torch|pt|frameworks?|article|author)\b/i;
const OTHER_FRAMEWORK =
  /\b(jax|flax|mxnet|caffe2?|theano|cntk|chainer|paddle(paddle)?|mindspore|scikit[- ]learn|sklearn|xgboost|lightgbm|catboost|mllib)\b/i;

/** Question words that mark a message as a new question rather than an answer to a slot question. */
const QUESTION_START =
  /^(what|which|how|why|is|are|does|do|can|should|when|who|where|tell|explain|compare)\b/i;

/** The platform-agnostic advisor. */
export class Advisor implements AdvisorApi {
  readonly #d: Required<Omit<AdvisorDeps, 'thresholds' | 'mode'>> & {
    thresholds: Thresholds;
    mode: RetrievalMode;
  };

  constructor(deps: AdvisorDeps) {
    this.#d = { ...deps, thresholds: deps.thresholds ?? DEFAULT_THRESHOLDS, mode: deps.mode ?? 'hybrid' };
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
      return baseReply('unknown', 0, [
        text(
          "Sorry, something went wrong on my side while answering that. I'm still here: please try again.",
        ),
      ]);
    }
  }

  /** Records a 👍/👎 on an answer in the store. */
  async recordFeedback(f: FeedbackInput): Promise<void> {
    await this.#d.store.update((s) => {
      s.feedback.push({ ...f, question: f.question.slice(0, MAX_MESSAGE_CHARS), at: this.#d.clock.now() });
      capState(s);
    });
  }

  /** Routes a cleaned question without touching conversation state (used by the evaluation). */
  async route(question: string): Promise<Routing> {
    const [vector] = await this.#d.embedder.embed([expandForEmbedding(question)]);
    if (!vector) throw new Error('embedder returned no vector');
    return this.#route(question, vector);
  }

  #route(question: string, vector: Float32Array): Routing {
    const { index, router, thresholds: t, mode } = this.#d;
    const ranked = index.search(question, vector, mode);
    const intents = router.route(vector);
    const top = ranked[0];
    const second = ranked[1];
    const topScore = top?.score ?? 0;
    const intentScore = (i: Intent) => intents.find((s) => s.intent === i)?.score ?? 0;
    const best = intents[0];
    const cues = slotCueCount(question);

    // A project description ("we're a vision startup shipping to prod, which one?") is a recommendation request.
    const asksChoice = ASKS_CHOICE.test(question);
    const aboutProject = ABOUT_PROJECT.test(question);
    const anchored = FRAMEWORK.test(question) || (top?.lexical ?? 0) >= 0.35;
    if (
      (best?.intent === 'recommend' && best.score >= t.intent && (anchored || cues >= 1)) ||
      (asksChoice && aboutProject && cues >= 1) ||
      (asksChoice && cues >= 2)
    ) {
      return { intent: 'recommend', ranked, intents, outcome: 'intent' };
    }
    // An explicit request to run or time something here is a benchmark request, whatever else it says.
    if (BENCH_VERB.test(question) && (BENCH_TARGET.test(question) || /\bbench(mark)?\b/i.test(question))) {
      return { intent: 'benchmark', ranked, intents, outcome: 'intent' };
    }
    if (
      best &&
      (best.intent === 'help' || best.intent === 'smalltalk' || best.intent === 'benchmark') &&
      best.score >= t.intent
    ) {
      if (best.score > intentScore('faq') || topScore < t.answer)
        return { intent: best.intent, ranked, intents, outcome: 'intent' };
    }
    // The article covers TensorFlow and PyTorch only: a question about another framework is out of scope.
    if (OTHER_FRAMEWORK.test(question))
      return { intent: 'unknown', ranked, intents, outcome: 'out-of-scope' };
    // The unknown-intent examples may override the knowledge base only when nothing anchors the question
    // to the article: no framework named and little word overlap with the knowledge base.
    const offTopic = !anchored && best?.intent === 'unknown' && intentScore('unknown') > intentScore('faq');
    const margin = topScore - (second?.score ?? 0);
    const answerBar = FRAMEWORK.test(question) ? t.answer : Math.max(t.answer, t.unnamedAnswer ?? t.answer);
    if (!offTopic && topScore >= answerBar && margin >= t.margin)
      return { intent: 'faq', ranked, intents, outcome: 'answer' };
    if (!offTopic && topScore >= t.suggest) return { intent: 'faq', ranked, intents, outcome: 'ambiguous' };
    return { intent: 'unknown', ranked, intents, outcome: 'out-of-scope' };
  }

  async #handle(message: IncomingMessage): Promise<Reply> {
    const input = inspectInput(message.text);
    if (!input.ok) return this.#inputProblem(input.problem, input.length);
    const question = input.text;
    const state = await this.#d.store.read();
    const conversation = state.conversations[message.conversationId];

    const pending = conversation?.recommendation?.pending;
    if (conversation?.recommendation && pending) {
      const found = extractSlots(question);
      const answersPending = found[pending] !== undefined || isSkip(question);
      const addsFacts = Object.keys(found).length > 0 && !QUESTION_START.test(question);
      if (answersPending || addsFacts) {
        return this.#recommend(message, { ...conversation.recommendation.slots, ...found }, [
          ...conversation.recommendation.asked,
          pending,
        ]);
      }
    }

    const [vector] = await this.#d.embedder.embed([expandForEmbedding(question)]);
    if (!vector) throw new Error('embedder returned no vector');
    const routing = this.#route(question, vector);
    const confidence = clamp01(
      routing.outcome === 'intent' ? (routing.intents[0]?.score ?? 0) : (routing.ranked[0]?.score ?? 0),
    );

    let reply: Reply;
    switch (routing.intent) {
      case 'recommend':
        return this.#recommend(message, extractSlots(question), []);
      case 'help':
        reply = baseReply('help', confidence, [
          text(`I'm **TensorDuel**, your TensorFlow vs PyTorch advisor. I can:\n${CAPABILITIES}`),
          text(this.#examples()),
        ]);
        break;
      case 'smalltalk':
        reply = baseReply('smalltalk', confidence, [text(smalltalk(question))]);
        break;
      case 'benchmark':
        reply = baseReply('benchmark', confidence, [
          text(
            "I can measure that on this host. A question alone never starts a run: it waits for a command or a click. It runs the same workloads on both engines, one after another: `mlp` (the article's 784-128-10 network on real MNIST digits), `cnn` (LeNet-5), `transformer` (one encoder block) and `matmul` (GEMM TFLOP/s), on TensorFlow (TensorFlow.js here), PyTorch and ONNX Runtime, on the GPU when there is one, else the CPU.",
          ),
          text(
            'Start it with the **Start benchmark** button where one is shown, `/tensorduel bench` in Slack, `/bench` in Discord, or `tensorduel bench --workloads mlp,cnn` in a terminal. Results come back as tables, a chart, and lines saying where they support or contradict the article.',
          ),
        ]);
        break;
      case 'faq':
        reply =
          routing.outcome === 'answer'
            ? this.#answer(routing.ranked[0] as ScoredEntry, question)
            : this.#ambiguous(routing.ranked, confidence);
        break;
      default:
        reply = this.#outOfScope(confidence);
    }
    await this.#remember(message.conversationId, routing.intent);
    return reply;
  }

  #inputProblem(problem: 'empty' | 'too-long' | 'no-words', length: number): Reply {
    const messages = {
      empty:
        'Your message was empty. Ask me about TensorFlow vs PyTorch, e.g. _Which one is easier to learn?_, or say **help**.',
      'too-long': `That message is too long for me (${length.toLocaleString('en-US')} characters; I read up to ${MAX_MESSAGE_CHARS.toLocaleString('en-US')}). Please ask your question in a sentence or two.`,
      'no-words':
        "I couldn't find any words in that message. Ask me about TensorFlow vs PyTorch, or say **help** to see what I can do.",
    } as const;
    return baseReply('unknown', 0, [text(messages[problem])]);
  }

  #answer(hit: ScoredEntry, question: string): Reply {
    const { entry } = hit;
    const parts: ReplyPart[] = [text(entry.answer.trim())];
    for (const c of entry.code ?? [])
      parts.push({ type: 'code', language: c.language, code: c.code.replace(/\n+$/, '') });
    if (entry.note)
      parts.push(
        text(
          `⚠️ **${entry.note.startsWith('Today:') ? 'Today:**' : 'Note:**'}${entry.note.replace(/^Today:/, '')}`,
        ),
      );
    return {
      ...baseReply('faq', clamp01(hit.score), parts),
      sources: [{ id: entry.id, section: entry.section }],
      feedback: { entryId: entry.id, question },
    };
  }

  #ambiguous(ranked: ScoredEntry[], confidence: number): Reply {
    const top = ranked[0]?.score ?? 0;
    const options = ranked.filter((r, i) => i < 2 || r.score >= top - 0.08).slice(0, 3);
    return {
      ...baseReply('faq', confidence, [
        text("I'm not sure which topic you mean. Did you mean one of these?"),
      ]),
      suggestions: options.map((o) => o.entry.title),
      choices: options.map((o) => ({ label: o.entry.title, value: o.entry.question })),
    };
  }

  #outOfScope(confidence: number): Reply {
    return baseReply('unknown', confidence, [
      text(
        "That's outside what I can answer. I only know the article *TensorFlow vs PyTorch: A Comprehensive Comparison of the Two AI Powerhouses*, so I'd rather not guess.",
      ),
      text(`What I can do:\n${CAPABILITIES}`),
    ]);
  }

  #examples(): string {
    return 'Try: _Which framework trains faster?_ · _Is PyTorch easier for beginners?_ · _We do NLP research on one GPU, which should we use?_';
  }

  async #recommend(message: IncomingMessage, slots: RecommendationSlots, asked: SlotName[]): Promise<Reply> {
    const step = decide(slots, asked);
    await this.#d.store.update((s) => {
      const c: ConversationState = s.conversations[message.conversationId] ?? { updatedAt: 0 };
      c.updatedAt = this.#d.clock.now();
      c.lastIntent = 'recommend';
      if (step.kind === 'ask') c.recommendation = { slots, asked, pending: step.slot };
      else delete c.recommendation;
      s.conversations[message.conversationId] = c;
      capState(s);
    });
    if (step.kind === 'ask') {
      const known = SLOT_ORDER.filter((k) => slots[k] !== undefined).map((k) => `${k}: ${slots[k]}`);
      const prefix = known.length > 0 ? `Got it (${known.join(', ')}). ` : 'Happy to help you choose. ';
      return {
        ...baseReply('recommend', 0.5, [text(`${prefix}One question first: ${step.question}`)]),
        choices: step.choices,
      };
    }
    return renderRecommendation(step);
  }

  async #remember(conversationId: string, intent: Intent): Promise<void> {
    await this.#d.store.update((s) => {
      const c: ConversationState = s.conversations[conversationId] ?? { updatedAt: 0 };
      c.updatedAt = this.#d.clock.now();
      c.lastIntent = intent;
      // A new question abandons a half-finished recommendation dialogue.
      delete c.recommendation;
      s.conversations[conversationId] = c;
      capState(s);
    });
  }
}

const NAMES = { tensorflow: 'TensorFlow', pytorch: 'PyTorch', either: 'either framework' } as const;

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
          ? `**Trade-off:** the other side has real reasons too. ${winner} wins on the article's weighting; if the minority concern is the one that would hurt most (e.g. distributed training at scale, or iteration speed in research), weigh it more — and consider measuring with \`/tensorduel bench\`.`
          : '**Trade-off:** the article gives no tie-breaker here. Pick the framework your team already knows, or measure both on your hardware with `/tensorduel bench`.',
      ),
    );
  }
  const sources = [
    ...new Map([...step.tensorflow, ...step.pytorch].map((r) => [r.source.id, r.source])).values(),
  ];
  if (sources.length === 0) sources.push({ id: 'conclusion', section: 'Conclusion' });
  return {
    ...baseReply('recommend', clamp01(0.5 + step.margin / 8), parts),
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

/** Looks up a knowledge entry by id. */
export function findEntry(entries: readonly KnowledgeEntry[], id: string): KnowledgeEntry | undefined {
  return entries.find((e) => e.id === id);
}
