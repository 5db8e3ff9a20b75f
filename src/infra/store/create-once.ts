/** Exclusive, atomic file creation: the migration's way of writing a file only where none is yet. */
import { randomUUID } from 'node:crypto';
import { link, rm, writeFile } from 'node:fs/promises';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * Writes `text` to `file` unless `file` exists; true when it wrote. Written under a temporary name and hard-linked
 * into place, so a reader never sees half a file and a file another process created meanwhile is never replaced.
 * On a filesystem without hard links it falls back to an exclusive open (still never replacing).
 * @example await createOnce('data/tensorduel.feedback.json', '{"version":1}') // → true, then false
 */
export async function createOnce(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, text);
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if (code(err) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code(err) ?? '')) throw err;
    try {
      await writeFile(file, text, { flag: 'wx' });
      return true;
    } catch (inner) {
      if (code(inner) === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    await rm(tmp, { force: true });
  }
}
