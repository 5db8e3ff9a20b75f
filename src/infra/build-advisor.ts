/** Wiring of the advisor from configuration: data files, embedder (+ disk cache), lowdb store. */

import type { Config } from '../config.ts';
import { Advisor, type Thresholds } from '../core/Advisor.ts';
import { IntentRouter } from '../core/intents/IntentRouter.ts';
import type { IntentDefinition, KnowledgeEntry } from '../core/knowledge/schema.ts';
import { createLimiter } from '../core/limit.ts';
import type { Embedder, Logger } from '../core/ports.ts';
import { silentLogger, systemClock } from '../core/ports.ts';
import { entryPhrasings, KnowledgeIndex, type RetrievalMode } from '../core/retrieval/KnowledgeIndex.ts';
import { expandForEmbedding } from '../core/retrieval/text.ts';
import { type AppState, emptyState } from '../core/state.ts';
import { loadIntents, loadKnowledge } from './data-files.ts';
import { CachingEmbedder } from './embedders/CachingEmbedder.ts';
import { TransformersEmbedder } from './embedders/TransformersEmbedder.ts';
import { UseLiteEmbedder } from './embedders/UseLiteEmbedder.ts';
import { LowdbStore } from './store/LowdbStore.ts';

/** The embedder the configuration asks for (not yet loaded). */
export function createEmbedder(config: Config): Embedder {
  if (config.TENSORDUEL_EMBEDDER === 'transformers') {
    return new TransformersEmbedder({
      modelId: config.TENSORDUEL_TRANSFORMERS_MODEL,
      modelsDir: config.TENSORDUEL_MODELS_DIR,
      allowRemote: config.TENSORDUEL_ALLOW_REMOTE_MODELS,
    });
  }
  return new UseLiteEmbedder({ backend: config.TENSORDUEL_TFJS_BACKEND });
}

/** The app's lowdb store, filling fields missing from older files. */
export function createStore(file: string, logger: Logger = silentLogger): LowdbStore<AppState> {
  return new LowdbStore<AppState>({
    file,
    defaults: emptyState,
    normalize: (d) => ({ ...emptyState(), ...d, version: 1 }),
    logger,
  });
}

/** A running advisor and what it was built from. */
export interface AdvisorHandle {
  /** Stable across `reload()`: always answers with the latest knowledge. */
  advisor: Pick<Advisor, 'handle' | 'recordFeedback' | 'route'>;
  knowledge: KnowledgeEntry[];
  intents: IntentDefinition[];
  embedder: Embedder;
  store: LowdbStore<AppState>;
  /** Cache hits and misses while embedding the knowledge base and intents at the last (re)load. */
  cacheStats: { hits: number; misses: number };
  /** Re-reads knowledge/ and intents/ and rebuilds the index (changed texts are re-embedded). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the advisor: validates data files, loads the model, embeds the corpus through the disk cache. */
export async function buildAdvisor(
  config: Config,
  logger: Logger = silentLogger,
  options: {
    embedder?: Embedder;
    thresholds?: Thresholds;
    mode?: RetrievalMode;
    /** Answers computed at once (CPU-bound); the rest wait in order. Default 2. */
    maxConcurrentAnswers?: number;
  } = {},
): Promise<AdvisorHandle> {
  const embedder = options.embedder ?? createEmbedder(config);
  const store = createStore(config.TENSORDUEL_DB_FILE, logger);
  const cached = new CachingEmbedder(embedder, `${config.TENSORDUEL_CACHE_DIR}/embeddings`, logger);

  const build = async () => {
    const [knowledge, intents] = await Promise.all([
      loadKnowledge(config.TENSORDUEL_KNOWLEDGE_DIR),
      loadIntents(config.TENSORDUEL_INTENTS_DIR),
    ]);
    await embedder.ready();
    // One call with the whole corpus, so the cache file holds exactly the current texts.
    await cached.embed(
      [
        ...knowledge.flatMap((e) => [...entryPhrasings(e), e.answer]),
        ...intents.flatMap((i) => i.examples),
      ].map(expandForEmbedding),
    );
    const cacheStats = cached.lastStats;
    const [index, router] = await Promise.all([
      KnowledgeIndex.build(knowledge, cached),
      IntentRouter.build(intents, knowledge, cached),
    ]);
    const advisor = new Advisor({
      index,
      router,
      embedder,
      store,
      clock: systemClock,
      logger,
      ...(options.thresholds ? { thresholds: options.thresholds } : {}),
      ...(options.mode ? { mode: options.mode } : {}),
    });
    logger.info('advisor ready', { entries: knowledge.length, model: embedder.modelId, cache: cacheStats });
    return { advisor, knowledge, intents, cacheStats };
  };

  let current = await build();
  // A burst of questions must not starve the chat adapters' acknowledgements (see core/limit.ts).
  const limit = createLimiter(options.maxConcurrentAnswers ?? 2);
  const handle: AdvisorHandle = {
    advisor: {
      handle: (m) => limit.run(() => current.advisor.handle(m)),
      recordFeedback: (f) => current.advisor.recordFeedback(f),
      route: (q) => current.advisor.route(q),
    },
    get knowledge() {
      return current.knowledge;
    },
    get intents() {
      return current.intents;
    },
    get cacheStats() {
      return current.cacheStats;
    },
    embedder,
    store,
    reload: async () => {
      current = await build();
    },
    close: () => embedder.dispose(),
  };
  return handle;
}
