/**
 * The Python runners on this host: every file compiles (tf_runner.py cannot run here: no Python TensorFlow), and
 * tf_runner.py on a Python without TensorFlow answers with one `unavailable` protocol line instead of a traceback.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const DIR = 'src/infra/bench/python';
const PYTHON = '/usr/bin/python3';
const cache = mkdtempSync(join(tmpdir(), 'td-pycache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('Python runners', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.py'));

  it('finds the three runner files', () => {
    expect(files.sort()).toEqual(['common.py', 'tf_runner.py', 'torch_runner.py']);
  });

  it.each(files)('%s compiles', (file) => {
    const r = spawnSync(PYTHON, ['-m', 'py_compile', join(DIR, file)], {
      env: { ...process.env, PYTHONPYCACHEPREFIX: cache },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('tf_runner.py without TensorFlow says "unavailable" on the protocol and exits 0', () => {
    const probe = spawnSync(PYTHON, ['-c', 'import tensorflow'], { encoding: 'utf8' });
    if (probe.status === 0) return; // a host with TensorFlow measures real rows in engines.test.ts
    const r = spawnSync(PYTHON, [join(DIR, 'tf_runner.py')], {
      input: `${JSON.stringify({ op: 'probe' })}\n`,
      env: { ...process.env, PYTHONPYCACHEPREFIX: cache },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const msg = JSON.parse(lines[0] ?? '{}') as { type?: string; reason?: string };
    expect(msg.type).toBe('unavailable');
    expect(msg.reason).toMatch(/cannot import tensorflow/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });
});
