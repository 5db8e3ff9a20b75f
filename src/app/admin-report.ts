/** The admin report as chat Markdown, for Slack's `/tensorduel report` and Discord's `/report`. */
import type { KnowledgeEntry } from '../core/knowledge/schema.ts';
import type { AppStore, Embedder, FeedbackRepository } from '../core/ports.ts';
import { buildReport, renderReport } from '../core/report.ts';

/**
 * What users asked that went unanswered (out of scope, ambiguous, 👎) clustered by the encoder, answer rates by
 * intent and the topics asked most, read fresh from the feedback repository on every call: `feedback` when given
 * (a replica's handle: every replica's records, shared in Redis), else the store's.
 * @example startPlatforms(config, advisor, logger, { report: adminReport(handle) })
 */
export function adminReport(parts: {
  store: Pick<AppStore, 'feedback'>;
  feedback?: FeedbackRepository;
  embedder: Embedder;
  readonly knowledge: readonly KnowledgeEntry[];
}): () => Promise<string> {
  return async () => {
    const records = await (parts.feedback ?? parts.store.feedback).read();
    return renderReport(await buildReport(records, parts.embedder, parts.knowledge));
  };
}
