/** Validates knowledge/ and intents/ and prints a summary: `npx tsx scripts/validate-data.ts`. */
import { loadIntents, loadKnowledge } from '../src/infra/data-files.ts';

const kb = await loadKnowledge('knowledge');
const intents = await loadIntents('intents');
console.log(
  `knowledge: ${kb.length} entries; intents: ${intents.map((i) => `${i.intent}(${i.examples.length})`).join(' ')}`,
);
