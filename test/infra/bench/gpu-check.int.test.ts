/** scripts/gpu-check.sh's CPU fallback: the same code path a CUDA host runs, with tiny sizes, so it never rots. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('scripts/gpu-check.sh (CPU fallback)', () => {
  it('runs the PyTorch runner against direct PyTorch and prints one table with every check ok', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'td-gpu-check-')), 'rows.json');
    const r = spawnSync('bash', ['scripts/gpu-check.sh', '--cpu', '--no-doctor', '--json', out], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/CPU fallback/);
    expect(r.stdout).toMatch(
      /^\| check \| status \| runner \| direct PyTorch \| runner \/ direct \| note \|$/m,
    );
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      rows: Array<{ check: string; status: string; runner: number | null; direct: number | null }>;
    };
    expect(doc.rows.map((row) => row.check)).toEqual([
      'matmul fp32 N=256',
      'mlp training fp32',
      'cnn training fp32',
    ]);
    for (const row of doc.rows) {
      expect(row.status, row.check).toBe('ok');
      expect(row.runner, row.check).toBeGreaterThan(0);
    }
    expect(doc.rows[0]?.direct).toBeGreaterThan(0);
  }, 300_000);
});
