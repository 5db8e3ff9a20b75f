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
