/** Slot extraction for the recommendation dialogue: words a user writes about their project, mapped to slot values. */
import type { RecommendationSlots } from '../state.ts';

/** Slot names, in the order the dialogue asks for them. */
export const SLOT_ORDER = ['goal', 'scale', 'domain', 'experience'] as const;
/** One slot name. */
export type SlotName = (typeof SLOT_ORDER)[number];

type Cue = { value: string; patterns: RegExp[] };

// Each cue is a set of whole-word patterns; the first slot value with a match wins for that slot.
const CUES: Record<SlotName, Cue[]> = {
  domain: [
    {
      value: 'reinforcement-learning',
      patterns: [
        /\breinforcement\b/,
        /\brl\b/,
        /\bagents?\b/,
        /\brobot(s|ics)?\b/,
        /\bgame[- ]?playing\b/,
        /\bpolic(y|ies)\b/,
        /\bgym\b/,
        /\bself[- ]play\b/,
      ],
    },
    {
      value: 'vision',
      patterns: [
        /\bvision\b/,
        /\bcv\b/,
        /\bimages?\b/,
        /\bimage[- ]?(classification|recognition)\b/,
        /\bobject detection\b/,
        /\b(object|face|pedestrian|defect|lesion|tumou?r) detect/,
        /\bdetect(ing|s)? (objects?|faces?|cars?|people|defects?|lesions?)\b/,
        /\bsegment(ation|ing)?\b/,
        /\bcameras?\b/,
        /\bvideos?\b/,
        /\bphotos?\b/,
        /\bpixels?\b/,
        /\bocr\b/,
        /\bx-?rays?\b/,
        /\bmri\b/,
        /\bradiology\b/,
        /\bmedical imag/,
        /\bsatellite\b/,
        /\bcnns?\b/,
        /(?<!\bhugging[\s-]*)\bfaces?\b/, // not the Hugging Face library
        /\b(pose|lesions?|scans?|ct|microscopy|visual|yolo|resnet|gans?|diffusion|frames?|drones?|dashcam|retail shelves|defects?|inspection)\b/,
      ],
    },
    {
      value: 'language',
      patterns: [
        /\bnlp\b/,
        /\b(next[- ]word|autocomplete|autocorrect|keyboard predictions?|spell ?check\w*|grammar|language models?|chat ?gpt)\b/,
        /\b(poe(m|try)|stor(y|ies)|lyrics|text generation|generat\w* text|keywords?)\b/,
        /\blanguage\b/,
        /\btext\b/,
        /\bllms?\b/,
        /\btranslation\b/,
        /\bchat ?bots?\b/,
        /\bsentiment\b/,
        /\bsummari[sz]/,
        /\btokeni[sz]/,
        /\bbert\b/,
        /\bgpt\b/,
        /\bdocuments?\b/,
        /\bquestion answering\b/,
        /\bnamed entit/,
        /\b(tickets?|reviews?|emails?|transcripts?|contracts?|articles|corp(us|ora)|search queries|prompts?|captions?)\b/,
        /\b(classif\w* (text|tickets|emails|reviews|documents)|text classif\w*|ner\b|entity extraction|intent detection)/,
      ],
    },
    {
      value: 'other',
      patterns: [
        /\btabular\b/,
        /\btime[- ]series\b/,
        /\brecommend(er|ation) (system|engine)s?\b/,
        /\bforecast/,
        /\bfraud\b/,
        /\b(audio|speech|asr|stt|voice|sound)\b/,
        /\bgraphs? neural\b/,
        /\bgnns?\b/,
      ],
    },
  ],
  scale: [
    {
      value: 'large-distributed',
      patterns: [
        /\bdistributed\b/,
        /\bmulti[- ]?(gpu|node|host|machine)s?\b/,
        /\bclusters?\b/,
        /\bmany gpus\b/,
        /\b\d{2,} gpus\b/,
        /\btpus?( pods?)?\b/,
        /\blarge[- ]scale\b/,
        /\bat scale\b/,
        /\bhuge\b/,
        /\b\d{3,}[- ]?gpus?\b/,
        /\b(multi|many|several|lots of) (nodes|machines|hosts|servers)\b/,
        /\bpods?\b/,
        /\b(trillions?|web[- ]scale|foundation models?|pre-?train(ing)? (a|our|an) (llm|model))\b/,
        /\bmassive\b/,
        /\bbillions?\b/,
        /\bterabytes?\b/,
        /\bpetabytes?\b/,
        /\bdata ?cent(er|re)\b/,
        /\bhundreds of (gpus|millions)\b/,
        /\blarge (models?|datasets?)\b/,
        /\bbig (models?|data)\b/,
      ],
    },
    {
      value: 'single-machine',
      patterns: [
        /\bsingle (gpu|machine|node|box|workstation)\b/,
        /\bone (gpu|machine|box|workstation)\b/,
        /\blaptop\b/,
        /\bworkstation\b/,
        /\bsmall[- ]scale\b/,
        /\bsmall (models?|datasets?|project)\b/,
        /\bcolab\b/,
        /\bmy (pc|desktop|mac)\b/,
        /\bjust a (gpu|machine)\b/,
        /\blocal(ly)?\b/,
        /\b(a|one|two|2|a couple of|a few|few) (gpus?|rtx \w+|4090s?|3090s?|a100s?)\b/,
        /\b(single|one|my) (4090|3090|a100|h100|rtx)\b/,
        /\bsmall (team|data|dataset)\b/,
      ],
    },
  ],
  goal: [
    {
      value: 'research',
      patterns: [
        /\bresearch(ers?)?\b/,
        /\b(publish|publication|conference|neurips|icml|iclr|cvpr|acl|arxiv|grad school|postdoc|professor|university|uni)\b/,
        /\bprototyp/,
        /\b(try(ing)?|test(ing)?) (out )?(many|lots of|a lot of|different|new|a bunch of) (model |architecture )?(ideas|models|architectures|variants)\b/,
        /\b(many|lots of|tons of) (ideas|experiments|ablations)\b/,
        /\bablations?\b/,
        /\biterat(e|ing) (fast|quickly)\b/,
        /\bexperiment/,
        /\bpapers?\b/,
        /\bph\.?d\b/,
        /\bacademi[ac]/,
        /\bthesis\b/,
        /\bexplor/,
        /\bpoc\b/,
        /\bproof of concept\b/,
        /\biterate\b/,
        /\blab\b/,
        /\bnovel\b/,
        /\bhackathon\b/,
        /\bmvp\b/,
      ],
    },
    {
      value: 'production',
      patterns: [
        /\bproduction\b/,
        /\b(go(ing|es)? live|launch(ing)?|roll(ing)? (it )?out|release (it|to)|in the app store|on (phones|devices|mobile)|real users|paying users|at our (bank|hospital|company|store)s?|next (quarter|month|sprint)|hard deadline|uptime|latency budget|api for|microservice)\b/,
        /\bprod\b/,
        /\bdeploy/,
        /\bserv(e|ing)\b/,
        /\bship(ping)?\b/,
        /\b(to|for|with) (our )?(paying |real )?customers\b/,
        /\bcustomer[- ]facing\b/,
        /\bmobile\b/,
        /\bedge\b/,
        /\benterprise\b/,
        /\bsla\b/,
        /\bmlops\b/,
        /\bin the field\b/,
        /\blive traffic\b/,
        /\bend users\b/,
      ],
    },
  ],
  experience: [
    {
      value: 'beginner',
      patterns: [
        /\bbeginners?\b/,
        /\bnew to\b/,
        /\bnewbies?\b/,
        /\bno (prior )?(ml |deep learning |dl |ai )?experience\b/,
        /\bjuniors?\b/,
        /\bstudents?\b/,
        /\bfirst (ml|ai|deep learning) project\b/,
        /\bnever (used|touched|built|trained|done|worked with)\b/,
        /\b(zero|no|little|limited) (prior )?(ml|dl|deep learning|ai|machine learning|neural net\w*)? ?(background|experience|knowledge)\b/,
        /\binterns?\b/,
        /\b(no|zero|little|limited|without( any)?|lack of|none of us ha(s|ve)( any)?|nobody (here )?has( any)?) (prior |real )?(ml|dl|deep learning|ai|machine learning|neural nets?|neural networks?|data science)? ?(background|experience|knowledge|expertise)\b/,
        /\b(none of us|nobody on the team|no one here) (knows?|has done|has used|has trained)\b/,
        /\b(self[- ]taught|first time|hobby(ist)?|learning the ropes)\b/,
        /\blearning (ml|deep learning)\b/,
        /\bnovices?\b/,
        /\bnot (very )?experienced\b/,
        /\bgreen\b/,
        /\bbootcamp\b/,
        /\bjust starting\b/,
      ],
    },
    {
      value: 'experienced',
      patterns: [
        /\bexperienced\b/,
        /\bseniors?\b/,
        /\bexperts?\b/,
        /\byears of\b/,
        /\bveterans?\b/,
        /\bseasoned\b/,
        /\b(know|knows|familiar with|used to) (tensorflow|pytorch|tf|torch|both)\b/,
        /\bstrong (ml|team)\b/,
      ],
    },
  ],
};

/** Words that deny the cue right after them, within its clause ("not vision", "no more experiments"). */
const NEGATOR =
  /^(not|no|never|nor|neither|without|isn't|aren't|wasn't|weren't|won't|don't|doesn't|didn't|hardly|instead|rather)$/;
/** Words right after a cue that deny it ("the research phase is over", "both PhDs left"). */
const DENIED_AFTER =
  /^\s*(?:\w+\s+){0,1}(?:is|are|was|were|has|have)?\s*(?:over|done|finished|gone|left|quit|dropped|cancel+ed|scrapped|off the table|no longer)\b/;
/** A clause boundary: negation never reaches across one. */
const CLAUSE = /[,.;:!?()]|\b(but|and|so|then|now|because|while)\b/g;

/** Whether the cue matched at [start, end) of `lower` is denied by a negator before it or a denial after it. */
function denied(lower: string, start: number, end: number): boolean {
  const before = lower.slice(Math.max(0, start - 40), start);
  const cut = [...before.matchAll(CLAUSE)].pop();
  const clause = cut ? before.slice((cut.index ?? 0) + cut[0].length) : before;
  const lastWords = clause.trim().split(/\s+/).filter(Boolean).slice(-3);
  if (lastWords.some((w) => NEGATOR.test(w))) return true;
  return DENIED_AFTER.test(lower.slice(end, end + 30));
}

/** Global copies of the cue patterns, to visit every place a cue matches. */
const GLOBAL = new WeakMap<RegExp, RegExp>();
function everywhere(p: RegExp): RegExp {
  let g = GLOBAL.get(p);
  if (!g) {
    g = new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`);
    GLOBAL.set(p, g);
  }
  return g;
}

/**
 * How `text` mentions each slot value's cues: `affirmed` where some match stands unnegated, `denied` where every
 * match is negated ("it's NLP not vision": language affirmed, vision denied). NegEx-style: a negator among the
 * three words before a cue in its clause, or a denial right after it ("the research phase is over").
 */
export function slotCueReadings(text: string): { affirmed: string[]; denied: string[] } {
  const lower = text.toLowerCase();
  const affirmed: string[] = [];
  const deniedHits: string[] = [];
  for (const slot of SLOT_ORDER)
    for (const cue of CUES[slot]) {
      let seen = false;
      let standing = false;
      for (const p of cue.patterns) {
        // Most cues don't occur at all: one plain test spares building a match iterator (and a regex copy).
        if (!everywhere(p).test(lower)) continue;
        everywhere(p).lastIndex = 0;
        for (const m of lower.matchAll(everywhere(p))) {
          seen = true;
          if (!denied(lower, m.index ?? 0, (m.index ?? 0) + m[0].length)) standing = true;
          if (standing) break;
        }
        if (standing) break;
      }
      if (standing) affirmed.push(`${slot}=${cue.value}`);
      else if (seen) deniedHits.push(`${slot}=${cue.value}`);
    }
  return { affirmed, denied: deniedHits };
}

/** Every slot value whose cue matches `text` unnegated, as `slot=value` ("domain=vision"): slot-model features. */
export function slotCueHits(text: string): string[] {
  return slotCueReadings(text).affirmed;
}

/** Every `slot=value` cue name, in a fixed order. */
export const SLOT_CUE_NAMES: readonly string[] = SLOT_ORDER.flatMap((slot) =>
  CUES[slot].map((c) => `${slot}=${c.value}`),
);

/**
 * Slot values found in `text` by the cue lists alone; slots with no cue are absent. The advisor reads slots from
 * the learned slot model (core/nlu), which takes these cues as features; this is its fallback without slot data.
 */
export function extractSlots(text: string): RecommendationSlots {
  return slotsFromCues(slotCueHits(text));
}

/** The slot values of affirmed cue hits (`slot=value`, as {@link slotCueReadings} gives them). */
export function slotsFromCues(affirmed: readonly string[]): RecommendationSlots {
  const found: Record<string, string> = {};
  for (const slot of SLOT_ORDER) {
    const hits = affirmed.filter((h) => h.startsWith(`${slot}=`)).map((h) => h.slice(slot.length + 1));
    // Images and text in one project (captioning, OCR then classification) is its own domain.
    if (slot === 'domain' && hits.includes('vision') && hits.includes('language')) found[slot] = 'multimodal';
    else if (hits[0]) found[slot] = hits[0];
  }
  return found as RecommendationSlots;
}

/** How many slot cues `text` carries (a project description has several). */
export function slotCueCount(text: string): number {
  return Object.keys(extractSlots(text)).length;
}

/** True when the user declines to answer ("not sure", "skip", "doesn't matter"). */
export function isSkip(text: string): boolean {
  // Fillers around the answer ("both really", "idk tbh", "not sure honestly") don't change it.
  const core = text
    .toLowerCase()
    .replace(
      /\b(really|tbh|honestly|i guess|i think|lol|haha|hmm+|tho|though|yet|atm|for now|sorry|to be honest)\b/g,
      ' ',
    )
    .replace(/[.!,]+/g, ' ')
    .trim();
  return /^\s*(skip|pass|no idea|no clue|not sure|unsure|undecided|hard to say|tbd|don'?t know( yet)?|dunno|doesn'?t matter|no preference|either|both|either one|n\/a|idk|\?+)\s*$/i.test(
    core,
  );
}
