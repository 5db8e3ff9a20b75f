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

  it('reads what follows a choice between the frameworks as a clause of its own', () => {
    expect(
      clausesOf('tf or torch for a large-scale recommendation system with distributed training?'),
    ).toEqual(['for a large-scale recommendation system with distributed training']);
    expect(clausesOf('which one, pytorch vs tensorflow, for our robot arm RL project')).toEqual([
      'which one',
      'for our robot arm RL project',
    ]);
    // A choice alone leaves nothing to read, and a message without one stays whole.
    expect(clausesOf('tf or pt?')).toEqual([]);
    expect(clausesOf('a large-scale recommendation system with distributed training')).toEqual([]);
    // Not a choice: "pt" inside a word, or one framework named.
    expect(clausesOf('tensorflow for a script or prototype')).toEqual([]);
  });
});
