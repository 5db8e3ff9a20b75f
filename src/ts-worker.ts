/**
 * The source of an eval'd `worker_threads` worker that runs a TypeScript module of this project: the worker
 * registers tsx's ESM hooks itself, then imports `entry`. Shared by the embedding, slot-training and Slack HTTP
 * workers.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * @param entry the worker's module (e.g. `new URL('./embed-worker.ts', import.meta.url)`)
 * @param preload modules imported before tsx's hooks are registered (they load ~4× faster outside them)
 */
export function tsWorkerSource(entry: URL, preload: readonly string[] = []): string {
  // The ESM build of tsx's API (its CommonJS build cannot register hooks from an eval'd worker).
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const first = preload.map((m) => `import(${JSON.stringify(m)}).catch(() => {})`);
  const start = first.length > 0 ? `Promise.all([${first.join(', ')}])` : 'Promise.resolve()';
  return `${start}.then(() => import(${JSON.stringify(tsx)})).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
}
