/**
 * Start-up progress on stderr: a phase that lasts over a second shows itself, as a bar on a terminal and as one
 * line per phase otherwise (CI logs, `npm start > file`), so a slow first start never looks like a hang.
 */

/** Reports how far a phase has got. */
export type Tick = (done: number, total: number) => void;

/** Runs labelled phases and shows the slow ones. */
export interface Progress {
  phase<T>(label: string, work: (tick: Tick) => Promise<T>): Promise<T>;
}

/** Shows nothing. */
export const silentProgress: Progress = { phase: (_label, work) => work(() => {}) };

/** Timers and clock, injectable for tests. */
export interface ProgressClock {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const systemProgressClock: ProgressClock = {
  now: () => performance.now(),
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where to draw; default process.stderr. */
  stream?: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Bar (true) or one line per phase (false); default: whether `stream` is a TTY. */
  tty?: boolean;
  /** A phase shows itself once it has run this long; default 1000 ms. */
  afterMs?: number;
  clock?: ProgressClock;
}

const BAR = 24;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * @example
 * const progress = createProgress();
 * await progress.phase('embedding 530 knowledge texts', (tick) => cache.embed(texts, { onProgress: tick }));
 * // on a TTY after 1 s:  tensorduel: embedding 530 knowledge texts [#########···············] 198/530
 * // otherwise, one line: tensorduel: embedding 530 knowledge texts…
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const afterMs = options.afterMs ?? 1000;
  const clock = options.clock ?? systemProgressClock;
  return {
    async phase(label, work) {
      const start = clock.now();
      let shown = false;
      let last: [number, number] | undefined;
      let drawnAt = -Infinity;
      const draw = () => {
        if (!tty) return;
        const [done, total] = last ?? [0, 0];
        const filled = total > 0 ? Math.round((done / total) * BAR) : 0;
        const bar = total > 0 ? ` [${'#'.repeat(filled)}${'·'.repeat(BAR - filled)}] ${done}/${total}` : '…';
        stream.write(`\r\x1b[2Ktensorduel: ${label}${bar}`);
        drawnAt = clock.now();
      };
      const timer = clock.set(() => {
        shown = true;
        if (tty) draw();
        else stream.write(`tensorduel: ${label}…\n`);
      }, afterMs);
      const tick: Tick = (done, total) => {
        last = [done, total];
        // At most ~10 redraws a second: a fast loop must not spend its time drawing.
        if (shown && clock.now() - drawnAt >= 100) draw();
      };
      try {
        const result = await work(tick);
        if (shown && tty)
          stream.write(`\r\x1b[2Ktensorduel: ${label}: done in ${seconds(clock.now() - start)}\n`);
        return result;
      } catch (err) {
        if (shown && tty) stream.write(`\r\x1b[2Ktensorduel: ${label}: failed\n`);
        throw err;
      } finally {
        clock.clear(timer);
      }
    },
  };
}
