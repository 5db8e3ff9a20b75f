/** Waits for an asynchronous condition, polling; the deadline is a hang guard, never a measurement. */

/**
 * Resolves with the first truthy value of `probe` (awaited; a throwing probe counts as not yet).
 * @example await eventually(async () => (await queue.runs.get('b1'))?.status === 'done', 'b1 done');
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what = 'condition',
  timeoutMs = 60_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
