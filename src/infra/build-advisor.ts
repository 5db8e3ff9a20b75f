/**
 * Wiring of the advisor from configuration: data files, embedder (+ disk cache), the file store, and for bot replicas
 * (TENSORDUEL_REDIS_URL) conversation memory and benchmark results shared in Redis.
 */

import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { Advisor } from '../core/Advisor.ts';
import { measuredLine } from '../core/bench/measured.ts';
import type { BenchResultDoc } from '../core/bench/result.ts';
import type { IntentDefinition, KnowledgeEntry } from '../core/knowledge/schema.ts';
import { createLimiter } from '../core/limit.ts';
import { NluModel } from '../core/nlu/NluModel.ts';
import type { Embedder, FeedbackRepository, Logger } from '../core/ports.ts';
import { silentLogger, systemClock } from '../core/ports.ts';
import { entryPhrasings } from '../core/retrieval/KnowledgeIndex.ts';
import { expandForEmbedding } from '../core/retrieval/text.ts';
import { loadIntentsAndSlots, loadKnowledge } from './data-files.ts';
import { BatchingEmbedder } from './embedders/BatchingEmbedder.ts';
import { CachingEmbedder } from './embedders/CachingEmbedder.ts';
import { embedderFromSpec, resolveEmbedderSpec, specModelId } from './embedders/spec.ts';
import { WorkerEmbedder } from './embedders/WorkerEmbedder.ts';
import { isEnglishWord } from './nlu/dictionary.ts';
import { FileModelCache } from './nlu/FileModelCache.ts';
import { workerSlotTrainer } from './nlu/workerSlotTrainer.ts';
import { type Progress, silentProgress } from './progress.ts';
import { RedisRuns } from './redis/RedisRuns.ts';
import { RedisConversations } from './state/conversations.ts';
import { RedisFeedback } from './state/feedback.ts';
import { FileStore } from './store/FileStore.ts';

/**
 * The embedder the configuration asks for (not yet loaded): the encoder (all-MiniLM-L6-v2 when exported, else
 * USE lite) in a worker thread, behind a dynamic batcher that groups questions arriving together.
 */
export function createEmbedder(config: Config): BatchingEmbedder {
  const spec = resolveEmbedderSpec(config);
  const model: Embedder = config.TENSORDUEL_EMBED_WORKER
    ? new WorkerEmbedder(spec)
    : new InThreadEmbedder(spec);
  return new BatchingEmbedder(model, {
    maxBatch: config.TENSORDUEL_EMBED_MAX_BATCH,
    maxDelayMs: config.TENSORDUEL_EMBED_MAX_DELAY_MS,
  });
}

/** The encoder in this thread, its runtime imported on first use (TENSORDUEL_EMBED_WORKER=false). */
class InThreadEmbedder implements Embedder {
  readonly modelId: string;
  readonly #loading: () => Promise<Embedder>;
  #model: Embedder | undefined;
  constructor(spec: Parameters<typeof embedderFromSpec>[0]) {
    this.modelId = specModelId(spec);
    let p: Promise<Embedder> | undefined;
    this.#loading = () => {
      p ??= embedderFromSpec(spec).then(async (m) => {
        await m.ready();
        this.#model = m;
        return m;
      });
      return p;
    };
  }
  get dimensions(): number {
    return this.#model?.dimensions ?? 0;
  }
  async ready(): Promise<void> {
    await this.#loading();
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return (await this.#loading()).embed(texts);
  }
  async dispose(): Promise<void> {
    await this.#model?.dispose();
  }
}

/**
 * The app's store for the database `file`: one file per aggregate beside it (a single-file database of before is
 * split on first use; see infra/store/FileStore.ts).
 */
export function createStore(file: string, logger: Logger = silentLogger): FileStore {
  return new FileStore({ file, logger });
}

/** A running advisor and what it was built from. */
export interface AdvisorHandle {
  /** Stable across `reload()`: always answers with the latest knowledge. */
  advisor: Pick<Advisor, 'handle' | 'recordFeedback'>;
  /** The trained understanding (calibration, whether it was trained at this load or read from the cache). */
  nlu: NluModel;
  knowledge: KnowledgeEntry[];
  intents: IntentDefinition[];
  embedder: Embedder;
  store: FileStore;
  /**
   * The admin report's records (feedback, unanswered messages, answer counts): shared by every replica in Redis
   * (`shared` with TENSORDUEL_REDIS_URL, written through to `store.feedback`), else `store.feedback` alone.
   */
  feedback: FeedbackRepository;
  /** The Redis client of the shared state (`shared` with TENSORDUEL_REDIS_URL), else undefined. */
  redis: Redis | undefined;
  /** Cache hits and misses while embedding the knowledge base and intents at the last (re)load. */
  cacheStats: { hits: number; misses: number };
  /** Re-reads knowledge/ and intents/ and rebuilds the index (changed texts are re-embedded). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Knowledge entries about speed, and which measured aspect grounds them. */
const PERFORMANCE_ASPECTS: Record<string, 'training' | 'inference'> = {
  'training-speed': 'training',
  'inference-speed': 'inference',
};

/** Builds the advisor: validates data files, loads the model, embeds the corpus through the disk cache. */
export async function buildAdvisor(
  config: Config,
  logger: Logger = silentLogger,
  options: {
    embedder?: Embedder;
    /** Inactivity after which a conversation's memory is forgotten. */
    memoryTtlMs?: number;
    /** Answers computed at once; the rest wait in order. Default 2, or 32 when the encoder runs in a worker. */
    maxConcurrentAnswers?: number;
    /** Shows the slow start-up phases (loading the model, embedding the corpus); default silent. */
    progress?: Progress;
    /**
     * A bot replica (`tensorduel start`): with TENSORDUEL_REDIS_URL, conversation memory lives in Redis (a
     * follow-up may reach another replica) and performance answers read the results every worker stored there.
     * Default false: one-shot commands (`ask`, `chat`, `eval`) keep everything in this process and its file.
     */
    shared?: boolean;
  } = {},
): Promise<AdvisorHandle> {
  const embedder = options.embedder ?? createEmbedder(config);
  const store = createStore(config.TENSORDUEL_DB_FILE, logger);
  const cached = new CachingEmbedder(embedder, `${config.TENSORDUEL_CACHE_DIR}/embeddings`, logger);
  const memoryTtlMs = options.memoryTtlMs ?? config.TENSORDUEL_MEMORY_TTL_MIN * 60_000;
  const url = options.shared ? config.TENSORDUEL_REDIS_URL : undefined;
  // Fail-fast bot client: while Redis is down, memory falls back to this replica's own and answers never wait.
  // ioredis is imported only by a replica that uses it (~0.1 s of every start otherwise).
  const connection = url ? await import('./redis/connection.ts') : undefined;
  const redis = url && connection ? connection.connectRedis(url, 'bot', logger) : undefined;
  const memory = redis ? new RedisConversations(redis, { ttlMs: memoryTtlMs, logger }) : store.conversations;
  const results = redis ? sharedResults(new RedisRuns(redis)) : undefined;
  // One admin report for every replica; the file keeps this replica's own (the report while Redis is down).
  const feedback: FeedbackRepository = redis
    ? new RedisFeedback(redis, store.feedback, { logger })
    : store.feedback;

  const build = async () => {
    const progress = options.progress ?? silentProgress;
    // The encoder loads (in its worker) while this thread reads the data files and the caches: with a warm
    // cache nothing before the first question needs it. Awaited before the advisor is handed out.
    const loading = embedder.ready();
    loading.catch(() => {}); // rejections surface at the await below, not as unhandled
    const [knowledge, { intents, slots, turns }] = await Promise.all([
      loadKnowledge(config.TENSORDUEL_KNOWLEDGE_DIR),
      loadIntentsAndSlots(config.TENSORDUEL_INTENTS_DIR),
    ]);
    // The whole corpus first: only texts that changed since the cache was written go to the model.
    const corpus = [
      ...knowledge.flatMap((e) => [...entryPhrasings(e), e.answer]),
      ...intents.flatMap((i) => i.examples),
      ...slots.map((e) => e.text),
      ...turns.map((e) => e.text),
    ].map(expandForEmbedding);
    await progress.phase(`embedding ${corpus.length} knowledge and intent texts`, (tick) =>
      cached.embed(corpus, { onProgress: tick }),
    );
    const cacheStats = cached.lastStats;
    // Trains only when the data changed (cached by data hash); shows itself when that takes over a second.
    const nlu = await progress.phase('preparing the intent and topic models', () =>
      NluModel.build({
        knowledge,
        intents,
        slots,
        turns,
        // With worker threads allowed (as for the encoder), the slot heads train on another core.
        ...(config.TENSORDUEL_EMBED_WORKER ? { slotTrainer: workerSlotTrainer } : {}),
        embedder: cached,
        queryEmbedder: embedder,
        isKnownWord: isEnglishWord,
        cache: new FileModelCache(`${config.TENSORDUEL_CACHE_DIR}/nlu`),
      }),
    );
    await progress.phase(`loading the sentence encoder (${embedder.modelId})`, () => loading);
    const advisor = new Advisor({
      nlu,
      store: { conversations: store.conversations, feedback },
      clock: systemClock,
      logger,
      memoryTtlMs,
      memory,
      // Performance answers cite the newest benchmark (issue 10, item 13): this host's, or with Redis any worker's.
      measurements: async (entryId) => {
        const aspect = PERFORMANCE_ASPECTS[entryId];
        if (!aspect) return null;
        // This host's own (`tensorduel bench`) count too; the newest that measured the aspect is cited.
        const shared = results ? await results() : [];
        return { line: measuredLine([...shared, ...(await store.results.list())], aspect) };
      },
    });
    logger.info('advisor ready', { entries: knowledge.length, model: embedder.modelId, cache: cacheStats });
    return { advisor, knowledge, intents, cacheStats, nlu };
  };

  let current = await build().catch(async (err: unknown) => {
    if (redis) await connection?.closeRedis(redis);
    throw err;
  });
  // Bounded: a replica starts while Redis is down (its memory is its own until Redis is back).
  if (redis && connection && redis.status !== 'ready')
    await connection
      .withTimeout(once(redis, 'ready'), 3_000, 'redis not ready')
      .catch(() =>
        logger.warn(
          'shared state: Redis not reachable yet; conversation memory stays on this replica meanwhile',
        ),
      );
  // A burst of questions must not starve the chat adapters' acknowledgements (see core/limit.ts).
  // With the encoder in a worker, the event loop only scores; more answers in flight let questions share batches.
  const offThread = embedder instanceof BatchingEmbedder && embedder.inner instanceof WorkerEmbedder;
  const limit = createLimiter(options.maxConcurrentAnswers ?? (offThread ? 32 : 2));
  const handle: AdvisorHandle = {
    advisor: {
      handle: (m) => limit.run(() => current.advisor.handle(m)),
      recordFeedback: (f) => current.advisor.recordFeedback(f),
    },
    get knowledge() {
      return current.knowledge;
    },
    get intents() {
      return current.intents;
    },
    get nlu() {
      return current.nlu;
    },
    get cacheStats() {
      return current.cacheStats;
    },
    embedder,
    store,
    feedback,
    redis,
    reload: async () => {
      current = await build();
    },
    close: async () => {
      if (redis) await connection?.closeRedis(redis);
      await embedder.dispose();
    },
  };
  return handle;
}

/**
 * The newest results in Redis, read again only when a new one finished; while Redis is unreachable, the last ones
 * read (performance answers keep citing them).
 */
function sharedResults(runs: RedisRuns): () => Promise<BenchResultDoc[]> {
  let last: BenchResultDoc[] = [];
  return async () => {
    try {
      last = await runs.recentResults();
    } catch {
      // Redis down: the last known results.
    }
    return last;
  };
}
