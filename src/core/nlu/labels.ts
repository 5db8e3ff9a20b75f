/** Labels of the intent head: the public intents plus `followup` (an elliptical turn the dialogue policy resolves). */
export const NLU_LABELS = [
  'faq',
  'recommend',
  'benchmark',
  'help',
  'smalltalk',
  'unknown',
  'followup',
] as const;
/** One intent-head label. */
export type NluLabel = (typeof NLU_LABELS)[number];

/**
 * Labels of the turn head: what a message does to the conversation before it. `new` stands on its own (a question, a
 * description, small talk); the others only mean something against the memory:
 * - `why`: the reasons behind (or more of) the last answer or verdict ("how come?", "source?", "tell me more");
 * - `other-framework`: the same question about the other framework ("what about pytorch?", "and the tf one?");
 * - `verdict-again`: the verdict asked again or checked ("so still pytorch for us?", "so which do we pick then");
 * - `aspect`: another aspect, elliptically ("and at inference time?", "which one is older?");
 * - `instead`: facts that replace those of the turn before ("scratch that, it's NLP");
 * - `later`: a goal or fact said of the future, not of now ("prod eventually");
 * - `also`: facts on top of the earlier ones ("we'd also like to classify X-rays").
 */
export const TURN_LABELS = [
  'new',
  'why',
  'other-framework',
  'verdict-again',
  'aspect',
  'instead',
  'later',
  'also',
] as const;
/** One turn-head label. */
export type TurnLabel = (typeof TURN_LABELS)[number];
