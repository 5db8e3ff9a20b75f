/** Schemas of the data files that drive the advisor: knowledge/*.yaml and intents/*.yaml. */
import { z } from 'zod';
import { NLU_LABELS, TURN_LABELS, type TurnLabel } from '../nlu/labels.ts';

const id = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case: lowercase letters, digits and dashes');
const text = z.string().trim().min(1, 'must not be empty');

/** One fact of the article, written for chat. */
export const knowledgeEntrySchema = z.strictObject({
  id,
  /** Short topic title, shown in "Did you mean" buttons. */
  title: text.max(60),
  /** The article section the fact comes from (as headed in the article). */
  section: text,
  /** Other article sections that state the same fact (e.g. an FAQ repeating a table row). */
  alsoIn: z.array(text).optional(),
  /** The canonical question this entry answers. */
  question: text,
  /** Different user wordings of the question (not reorderings). */
  alternates: z.array(text).min(6, 'needs at least 6 alternate phrasings'),
  /** The article's answer, for chat (Markdown subset: **bold**, `code`, "- " bullets). */
  answer: text,
  /** Code shown after the answer as code blocks. */
  code: z.array(z.strictObject({ language: text, code: text })).optional(),
  /** A clearly marked note where the article is outdated or wrong today. */
  note: text.optional(),
  /** The one framework the entry is about, when it is about one only (what-is-X, X's code example). */
  focus: z.enum(['tensorflow', 'pytorch']).optional(),
  /**
   * The framework the answer recommends, when it recommends one outright (the article's Recommendations): a reply
   * with this answer alone carries it as its verdict.
   */
  verdict: z.enum(['tensorflow', 'pytorch']).optional(),
  /** Ids of related entries. */
  related: z.array(id).default([]),
});

/** A knowledge file: entries grouped by article section. */
export const knowledgeFileSchema = z.strictObject({
  entries: z.array(knowledgeEntrySchema).min(1, 'needs at least one entry'),
});

/** An intent file: example utterances for one intent. */
export const intentFileSchema = z.strictObject({
  /** An intent, or `followup`: elliptical turns that only make sense after an earlier answer. */
  intent: z.enum(NLU_LABELS),
  description: text,
  examples: z.array(text).min(5, 'needs at least 5 examples'),
});

/**
 * A slot-labelled file (`intents/slots.yaml`): project descriptions with what each says about the four
 * recommendation slots; the training data of the learned slot extractor. A slot left out: the text says nothing.
 */
export const slotFileSchema = z.strictObject({
  slots: z
    .array(
      z.strictObject({
        text,
        domain: z.enum(['vision', 'language', 'multimodal', 'reinforcement-learning', 'other']).optional(),
        scale: z.enum(['large-distributed', 'single-machine']).optional(),
        goal: z.enum(['research', 'production']).optional(),
        experience: z.enum(['beginner', 'experienced']).optional(),
      }),
    )
    .min(20, 'needs at least 20 labelled examples'),
});

/**
 * A turn-labelled file (`intents/turns.yaml`): messages grouped by what they do to the conversation before them
 * (labels.ts TURN_LABELS); the training data of the learned turn head. Every other intent example is a `new` turn.
 */
export const turnFileSchema = z.strictObject({
  turns: z
    .partialRecord(z.enum(TURN_LABELS), z.array(text).min(5, 'needs at least 5 examples'))
    .refine((t) => Object.keys(t).length > 0, 'needs at least one turn label'),
});

/** A validated knowledge entry. */
export type KnowledgeEntry = z.infer<typeof knowledgeEntrySchema>;
/** A validated intent definition. */
export type IntentDefinition = z.infer<typeof intentFileSchema>;
/** One turn-labelled example. */
export interface TurnExample {
  text: string;
  turn: TurnLabel;
}
/** One slot-labelled example. */
export type SlotExample = z.infer<typeof slotFileSchema>['slots'][number];
