import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { assembleKernels } from '../../../scripts/assemble-kernels.ts';
import { kernels, layout } from '../../../src/core/nlu/kernels.ts';
import { KERNELS_WASM } from '../../../src/core/nlu/kernels.wasm.ts';
import { mulberry32 } from '../../../src/core/seeded.ts';

const f = Math.fround;
const rand = mulberry32(11);
const vec = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);

/** The kernels' dot product in float32, step by step: two four-lane accumulators over eight floats, then the tail. */
function dot32(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  const acc = [0, 0, 0, 0, 0, 0, 0, 0];
  const end = n & ~7;
  let i = 0;
  for (; i < end; i += 8)
    for (let l = 0; l < 8; l++)
      acc[l] = f((acc[l] as number) + f((a[ao + i + l] as number) * (b[bo + i + l] as number)));
  const lanes = [0, 1, 2, 3].map((l) => f((acc[l] as number) + (acc[l + 4] as number)));
  let s = f(f((lanes[0] as number) + (lanes[1] as number)) + f((lanes[2] as number) + (lanes[3] as number)));
  for (; i < n; i++) s = f(s + f((a[ao + i] as number) * (b[bo + i] as number)));
  return s;
}

describe('training kernels (WebAssembly SIMD)', () => {
  it('are the module kernels.wat assembles to (run npm run build:kernels after editing it)', async () => {
    const wat = await readFile(new URL('../../../src/core/nlu/kernels.wat', import.meta.url), 'utf8');
    expect(Buffer.from(await assembleKernels(wat)).toString('base64')).toBe(KERNELS_WASM);
  });

  it.each([3, 10, 16, 384])('compute logits of a %i-d example to the bit of float32 arithmetic', (dense) => {
    const C = 5;
    const sparse = 7;
    const width = dense + sparse;
    const w = vec(C * width);
    const b = vec(C);
    const x = vec(dense);
    const pairs: Array<[number, number]> = [
      [0, 0.5],
      [4, -1.25],
      [6, 2],
    ];
    const { at, f32, i32 } = layout({
      w: w.length * 4,
      b: C * 4,
      x: dense * 4,
      pairs: pairs.length * 8,
      out: C * 4,
    });
    f32.set(w, at.w / 4);
    f32.set(b, at.b / 4);
    f32.set(x, at.x / 4);
    pairs.forEach(([j, v], k) => {
      i32[at.pairs / 4 + 2 * k] = j;
      f32[at.pairs / 4 + 2 * k + 1] = v;
    });
    kernels().logits(at.w, at.b, C, width, dense, at.x, at.pairs, pairs.length, at.out);
    for (let c = 0; c < C; c++) {
      let s = f((b[c] as number) + dot32(w, c * width, x, 0, dense));
      for (const [j, v] of pairs) s = f(s + f((w[c * width + dense + j] as number) * v));
      expect(f32[at.out / 4 + c]).toBe(s);
    }
  });

  it('add each active class its scaled example, and only those classes', () => {
    const C = 4;
    const dense = 10; // eight in lanes, two in the tail
    const width = dense + 3;
    const gw = vec(C * width);
    const x = vec(dense);
    const { at, f32, i32 } = layout({ gw: gw.length * 4, x: dense * 4, pairs: 8, active: 8, scales: 8 });
    f32.set(gw, at.gw / 4);
    f32.set(x, at.x / 4);
    i32[at.pairs / 4] = 2;
    f32[at.pairs / 4 + 1] = 0.75;
    i32[at.active / 4] = 3;
    i32[at.active / 4 + 1] = 1;
    f32[at.scales / 4] = -0.5;
    f32[at.scales / 4 + 1] = 0.25;
    kernels().accumulate(at.gw, width, dense, at.x, at.pairs, 1, at.active, at.scales, 2);
    const want = Float32Array.from(gw);
    for (const [c, g] of [
      [3, -0.5],
      [1, 0.25],
    ] as const) {
      for (let j = 0; j < dense; j++)
        want[c * width + j] = f((want[c * width + j] as number) + f(g * (x[j] as number)));
      want[c * width + dense + 2] = f((want[c * width + dense + 2] as number) + f(g * 0.75));
    }
    expect(Array.from(f32.subarray(at.gw / 4, at.gw / 4 + gw.length))).toEqual(Array.from(want));
  });

  it('take an Adam step in float32 with the L2 penalty, and clear the gradient', () => {
    const n = 11; // lanes and a tail
    const [w, gw, mw] = [vec(n), vec(n), vec(n)];
    const vw = Float32Array.from(vec(n), Math.abs);
    const { at, f32 } = layout({ w: n * 4, gw: n * 4, mw: n * 4, vw: n * 4 });
    for (const [name, v] of [
      ['w', w],
      ['gw', gw],
      ['mw', mw],
      ['vw', vw],
    ] as const)
      f32.set(v, at[name] / 4);
    const [l2, b1, b2, a, k] = [1e-3, 0.9, 0.999, 0.05, 1.7].map(f) as [
      number,
      number,
      number,
      number,
      number,
    ];
    kernels().adam(at.w, at.gw, at.mw, at.vw, n, l2, b1, b2, a, k);
    for (let j = 0; j < n; j++) {
      const g = f((gw[j] as number) + f(l2 * (w[j] as number)));
      const m = f(f(b1 * (mw[j] as number)) + f(f(1 - b1) * g));
      const v = f(f(b2 * (vw[j] as number)) + f(f(1 - b2) * f(g * g)));
      expect(f32[at.mw / 4 + j]).toBe(m);
      expect(f32[at.vw / 4 + j]).toBe(v);
      expect(f32[at.w / 4 + j]).toBe(f((w[j] as number) - f(f(a * m) / f(f(f(Math.sqrt(v)) * k) + f(1e-8)))));
      expect(f32[at.gw / 4 + j]).toBe(0);
    }
  });

  it('grow their memory for a run larger than it, keeping views of the new size', () => {
    const big = 3 * 65536 * 4;
    const { at, f32 } = layout({ a: 16, b: big });
    expect(f32.length * 4).toBeGreaterThanOrEqual(at.b + big);
  });
});
