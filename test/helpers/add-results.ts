/**
 * A second writer process for the results folder (like `tensorduel bench --save` beside a running bot): prints
 * `ready`, waits for `go` on stdin, then adds `count` results named `<prefix>-<i>` and prints `done`.
 * Usage: node --import tsx test/helpers/add-results.ts <db file> <prefix> <count>
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { FileStore } from '../../src/infra/store/FileStore.ts';
import { docWith } from './bench.ts';

const [file, prefix, count] = process.argv.slice(2);
const store = new FileStore({ file: file as string });
await store.results.list(); // opened (and migrated) before the start line, like a running process
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const [line] = (await once(lines, 'line')) as [string];
if (line !== 'go') process.exit(2);
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) => store.results.add(docWith([], { id: `${prefix}-${i}` }))),
);
process.stdout.write('done\n');
lines.close();
