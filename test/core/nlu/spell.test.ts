import { describe, expect, it } from 'vitest';
import { osaDistance, SpellCorrector, vocabularyOf } from '../../../src/core/nlu/spell.ts';
import { isEnglishWord } from '../../../src/infra/nlu/dictionary.ts';

const vocabulary = vocabularyOf([
  'TensorFlow and PyTorch are frameworks with a large community; research and production; strengths and weaknesses',
  'PyTorch is easier to learn. TensorFlow has better documentation. Which framework trains faster?',
]);
const corrector = new SpellCorrector(vocabulary, isEnglishWord);

describe('SpellCorrector (knowledge vocabulary, English dictionary guard)', () => {
  it.each([
    ['pytorh', 'pytorch'],
    ['tensorlfow', 'tensorflow'],
    ['tensorflw', 'tensorflow'],
    ['comunity', 'community'],
    ['reserch', 'research'],
    ['framwork', 'framework'],
    ['strenghts', 'strengths'],
  ])('corrects %s to %s', (typo, fixed) => {
    expect(corrector.suggest(typo)).toBe(fixed);
  });

  it('never corrects a correctly spelled English word into another word', () => {
    for (const word of [
      'learn',
      'earn',
      'torch',
      'faster',
      'later',
      'frame',
      'fork',
      'search',
      'commute',
      'strength',
    ])
      expect(corrector.suggest(word)).toBeUndefined();
  });

  it('leaves contractions and possessives of known words as written, and still corrects a misspelled one', () => {
    const withWell = new SpellCorrector(
      vocabularyOf(['it works well; the company trains models']),
      isEnglishWord,
    );
    for (const word of ["we'll", "company's", "isn't", "they're", "models'"])
      expect(withWell.suggest(word)).toBeUndefined();
    expect(withWell.correct("we'll see, the company's models").corrections).toEqual([]);
    expect(withWell.suggest("compnay's")).toBe("company's");
  });

  it('leaves short words, numbers and unknown words far from the vocabulary alone', () => {
    expect(corrector.suggest('tf')).toBeUndefined();
    expect(corrector.suggest('h100')).toBeUndefined();
    expect(corrector.suggest('xqzvbn')).toBeUndefined();
  });

  it('corrects inside a sentence and reports each change', () => {
    expect(corrector.correct('is pytorh easier than tensorlfow?')).toEqual({
      text: 'is pytorch easier than tensorflow?',
      corrections: [
        { from: 'pytorh', to: 'pytorch' },
        { from: 'tensorlfow', to: 'tensorflow' },
      ],
    });
  });

  it('counts an adjacent transposition as one edit', () => {
    expect(osaDistance('tensorlfow', 'tensorflow', 2)).toBe(1);
    expect(osaDistance('abc', 'xyz', 1)).toBe(2);
  });

  it("learns the domain's jargon from the data, and keeps correcting the data's own misspellings", () => {
    const sc = new SpellCorrector(
      vocabularyOf(['research and production, detection and best practice, kubernetes clusters']),
      isEnglishWord,
    );
    // Before: jargon one edit from a dictionary word is "corrected" into it.
    expect(sc.suggest('bert')).toBe('best');
    const data = vocabularyOf([
      'fine-tuning bert for our reserch',
      'bert on one gpu, yolo for detection',
      'we use yolo and bert',
      'research research research research research research, reserch',
      'detecton once',
    ]);
    const terms = sc.findTerms(data);
    sc.addTerms(terms);
    const learned = terms.map(([w]) => w);
    expect(learned).toEqual(expect.arrayContaining(['bert', 'yolo']));
    expect(sc.suggest('bert')).toBeUndefined();
    expect(sc.suggest('yolo')).toBeUndefined();
    // Used twice, but "research" is used three times as often: a misspelling, still corrected.
    expect(learned).not.toContain('reserch');
    expect(sc.suggest('reserch')).toBe('research');
    // Used once: not enough to be a term.
    expect(learned).not.toContain('detecton');
    expect(sc.suggest('detecton')).toBe('detection');
    // A learned term is a correction target too.
    expect(sc.suggest('berts')).toBeUndefined(); // its plural
  });

  it('leaves the plural of a known word as written, even one edit from another word', () => {
    const sc = new SpellCorrector(
      vocabularyOf(['a cnn and a gnn, cons and pros, tensorflow and its community']),
      isEnglishWord,
    );
    sc.addTerms(sc.findTerms(vocabularyOf(['cnn cnn', 'gnn gnn'])));
    expect(sc.suggest('cnns')).toBeUndefined();
    expect(sc.suggest('gnns')).toBeUndefined();
    expect(sc.suggest('tensorflows')).toBeUndefined();
    expect(sc.suggest('comunitys')).toBeDefined(); // the stem is misspelled: no plural of a known word
  });
});
