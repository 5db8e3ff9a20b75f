import { describe, expect, it } from 'vitest';
import { clausesOf } from '../../../src/core/nlu/clauses.ts';

describe('clausesOf', () => {
  it('splits a message that states several things at once into its clauses', () => {
    expect(
      clausesOf("we're building a product image classifier, team of 4 experienced ML engineers"),
    ).toEqual(["we're building a product image classifier", 'team of 4 experienced ML engineers']);
    expect(clausesOf('we publish papers but need multi-node training')).toEqual([
      'we publish papers',
      'need multi-node training',
    ]);
    expect(clausesOf("scratch that, it's research — we'll try lots of new architectures")).toEqual([
      'scratch that',
      "it's research",
      "we'll try lots of new architectures",
    ]);
  });

  it('gives nothing for one clause, and drops one-word pieces', () => {
    expect(clausesOf('what is tensorflow')).toEqual([]);
    expect(clausesOf('tf vs torch, speed?')).toEqual([]);
    expect(clausesOf('')).toEqual([]);
  });

  it('reads at most four clauses', () => {
    expect(clausesOf('one two, three four, five six, seven eight, nine ten')).toHaveLength(4);
  });
});
