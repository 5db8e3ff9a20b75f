/** Shared message and reply types: the only language spoken between the core and the chat adapters. */

/** The six intents TensorDuel routes to. */
export const INTENTS = ['faq', 'recommend', 'benchmark', 'help', 'smalltalk', 'unknown'] as const;
/** One routed intent. */
export type Intent = (typeof INTENTS)[number];

/** A framework verdict; null while a clarifying question is pending or for non-recommendation intents. */
export type Framework = 'tensorflow' | 'pytorch' | 'either';

/**
 * Opaque conversation key built and decoded only by an adapter, e.g. `slack:C123:1700000000.0001`,
 * `discord:987654321:111`, `console:local`. The core only uses it as a map key.
 */
export type ConversationId = string;

/** A platform event translated by an adapter into the core's terms. */
export interface IncomingMessage {
  conversationId: ConversationId;
  /** Platform-qualified user id, e.g. `slack:U123`. */
  userId: string;
  text: string;
}

/** Where an answer comes from: a knowledge entry and its article section. */
export interface Source {
  id: string;
  section: string;
}

/** One piece of a reply body; adapters render each natively and never split inside a code part. */
export type ReplyPart = { type: 'text'; text: string } | { type: 'code'; language: string; code: string };

/** A button the adapter renders; clicking it sends `value` back to the core as a new message text. */
export interface Choice {
  label: string;
  value: string;
}

/** What the core answers; adapters render it to Block Kit, Discord embeds or terminal text. */
export interface Reply {
  intent: Intent;
  /** 0..1: how sure the core is about this reply. */
  confidence: number;
  /** Body in a small Markdown subset: **bold**, `code`, "- " bullets; code blocks are separate parts. */
  parts: ReplyPart[];
  sources: Source[];
  framework: Framework | null;
  /** Topic titles offered when the question was ambiguous (mirrors `choices` labels). */
  suggestions: string[];
  /** Buttons: "Did you mean" topics, or recommendation answers. */
  choices: Choice[];
  /** Present when the reply answers from a knowledge entry and may be rated 👍/👎. */
  feedback?: { entryId: string; question: string };
  /** What sort of reply this is; evaluation and logs read it, adapters may ignore it. */
  kind?: ReplyKind;
  /** Related topics offered after a clear answer (1–3), rendered as follow-up buttons; the value is sent back as a message. */
  followups?: Choice[];
  /** A performance answer with nothing measured on this host yet: adapters add a Start benchmark button. */
  offerBenchmark?: boolean;
  /** Why the reply was chosen, stage by stage (`tensorduel ask --explain` prints it; never shown in chat). */
  explain?: Explanation[];
}

/** The shape of a reply: a clear answer, several parts of one comparison, a "Did you mean", a verdict, … */
export type ReplyKind =
  | 'answer'
  | 'composite'
  | 'suggest'
  | 'out-of-scope'
  | 'verdict'
  | 'clarify'
  | 'intent'
  | 'input-problem'
  | 'error';

/** One stage's record of a decision: what it decided, the scores it saw and the features that decided it. */
export interface Explanation {
  stage: string;
  decision: string;
  scores?: Record<string, number>;
  features?: string[];
}

/** Plain-text rendering of reply parts, used by the CLI JSON output and as a chat fallback. */
export function replyText(reply: Pick<Reply, 'parts'>): string {
  return reply.parts
    .map((p) => (p.type === 'text' ? p.text : `\`\`\`${p.language}\n${p.code}\n\`\`\``))
    .join('\n\n');
}

/** A 👍/👎 on a reply, as clicked in a chat. */
export interface FeedbackInput {
  conversationId: ConversationId;
  userId: string;
  entryId: string;
  question: string;
  vote: 'up' | 'down';
}

/** What an adapter needs from the core. */
export interface AdvisorApi {
  /** Answers one message; never throws for bad user input (returns a friendly reply instead). */
  handle(message: IncomingMessage): Promise<Reply>;
  recordFeedback(feedback: FeedbackInput): Promise<void>;
}
