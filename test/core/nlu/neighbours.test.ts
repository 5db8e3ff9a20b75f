import { describe, expect, it } from 'vitest';
import { Neighbours } from '../../../src/core/nlu/neighbours.ts';
import { mulberry32 } from '../../../src/core/seeded.ts';

const rand = mulberry32(5);
const unit = (n: number) => {
  const v = Float32Array.from({ length: n }, () => rand() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('Neighbours', () => {
  const dims = 19; // rows four at a time and a tail; lanes and a tail in the kernel
  const project = Array.from({ length: 7 }, (_, i) => ({ text: `p${i}`, v: unit(dims) }));
  const offTopic = Array.from({ length: 5 }, (_, i) => ({ text: `o${i}`, v: unit(dims) }));
  const nn = new Neighbours(
    project.map((r) => r.v),
    offTopic.map((r) => r.v),
  );

  it('reads the similarity to the nearest text of each set', () => {
    const q = unit(dims);
    const got = nn.read(q);
    expect(got.project).toBeCloseTo(Math.max(...project.map((r) => dot(q, r.v))), 6);
    expect(got.offTopic).toBeCloseTo(Math.max(...offTopic.map((r) => dot(q, r.v))), 6);
  });

  it('reads training texts with their own copies left out, and a new text as read() does', () => {
    const [own, again] = Neighbours.heldOut({ project, offTopic }, [
      project[2] as { text: string; v: Float32Array },
      { text: 'new', v: (project[2] as { v: Float32Array }).v },
    ]);
    // A text is not its own nearest neighbour ...
    expect(own?.project).toBeLessThan(0.999);
    expect(own?.project).toBeCloseTo(
      Math.max(...project.filter((_, i) => i !== 2).map((r) => dot(project[2]?.v as Float32Array, r.v))),
      5,
    );
    // ... while the same vector under another text finds it.
    expect(again?.project).toBeCloseTo(1, 5);
    expect(again?.offTopic).toBeCloseTo(nn.read((project[2] as { v: Float32Array }).v).offTopic, 5);
  });

  it('reads -1 against an empty set', () => {
    expect(new Neighbours([unit(dims)], []).read(unit(dims)).offTopic).toBe(-1);
  });
});
