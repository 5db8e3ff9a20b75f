/**
 * Each chat platform's size limits, defined once. Renderers, harness checks and the benchmark result
 * renderers all read these tables instead of keeping their own copies.
 *
 * Using it (Slack and Discord alike):
 * ```ts
 * import { DISCORD_LIMITS, SLACK_LIMITS } from '../shared/limits.ts';
 * splitMarkdown(text, DISCORD_LIMITS.embedDescription);
 * truncate(label, SLACK_LIMITS.buttonText);
 * ```
 */

/**
 * Slack Block Kit and Web API limits (api.slack.com/reference/block-kit/blocks, …/block-elements,
 * …/surfaces/views).
 */
export const SLACK_LIMITS = {
  /** A section block's text. */
  sectionText: 3000,
  /** A `markdown` block's text; Slack also caps all markdown blocks of one payload together at this. */
  markdownText: 12_000,
  /** Blocks in a message. */
  blocksPerMessage: 50,
  /** Blocks in a modal or the App Home view. */
  blocksPerView: 100,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  contextElements: 10,
  contextText: 3000,
  /** Notification/fallback text; Slack truncates long `text` anyway. */
  fallbackText: 3000,
  /** A `table` block: rows (the header row included) and columns. */
  tableRows: 100,
  tableColumns: 20,
  /** A modal's title and its submit/close labels. */
  viewTitle: 24,
  /** Options in a static select and the text of one option. */
  selectOptions: 100,
  optionText: 75,
  /** A modal's `private_metadata`. */
  privateMetadata: 3000,
  /** A message shortcut's callback_id and an action_id. */
  actionId: 255,
} as const;

/** Discord message, embed and component limits (discord.com/developers/docs/resources/message). */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  /** Sum of every embed's title, description, fields and footer in one message. */
  embedTotal: 6000,
  embedsPerMessage: 10,
  buttonLabel: 80,
  customId: 100,
  buttonsPerRow: 5,
  rows: 5,
  /** Choices in an autocomplete answer or an option's `choices`. */
  choices: 25,
  commandDescription: 100,
  optionDescription: 100,
  /** Text inputs in a modal (one per action row). */
  modalInputs: 5,
  modalTitle: 45,
} as const;
