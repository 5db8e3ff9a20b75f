/** The admin report as chat Markdown, for Slack's `/tensorduel report` and Discord's `/report`. */
import type { KnowledgeEntry } from '../core/knowledge/schema.ts';
import type { AppStore, Embedder } from '../core/ports.ts';
import { buildReport, renderReport } from '../core/report.ts';

/**
 * What users asked that went unanswered (out of scope, ambiguous, 👎) clustered by the encoder, answer rates by
 * intent and the topics asked most, read fresh from the feedback repository on every call.
 * @example startPlatforms(config, advisor, logger, { report: adminReport(handle) })
 */
export function adminReport(parts: {
  store: Pick<AppStore, 'feedback'>;
  embedder: Embedder;
  readonly knowledge: readonly KnowledgeEntry[];
}): () => Promise<string> {
  return async () =>
    renderReport(await buildReport(await parts.store.feedback.read(), parts.embedder, parts.knowledge));
}
