/**
 * A benchmark result as one Discord embed (a pure function returning a plain JSON object). Discord's wire format
 * lives here, in the Discord adapter; the core gives it the tables and claim checks as text.
 */
import { claimLines, matmulLines } from '../../core/bench/claims.ts';
import { hostLine, settingsLine, workloadName } from '../../core/bench/format.ts';
import { inferenceTable, matmulTable, problemLines, trainingTable } from '../../core/bench/render-table.ts';
import type { BenchResultDoc } from '../../core/bench/result.ts';
import { DISCORD_LIMITS } from '../shared/limits.ts';
import { truncate } from '../shared/split-markdown.ts';

/** A Discord embed field. */
export interface DiscordEmbedField {
  name: string;
  value: string;
  inline: boolean;
}

/** The embed object (as sent in `embeds: [...]`). */
export interface DiscordEmbed {
  title: string;
  description: string;
  color: number;
  fields: DiscordEmbedField[];
  footer: { text: string };
  timestamp: string;
}

/** Characters Discord counts towards the 6000 total. */
export function embedSize(e: DiscordEmbed): number {
  return (
    e.title.length +
    e.description.length +
    e.footer.text.length +
    e.fields.reduce((a, f) => a + f.name.length + f.value.length, 0)
  );
}

/** A code-block field value of whole lines within the 1024-character limit. */
function codeValue(body: string): string {
  const lines = body.split('\n');
  const kept: string[] = [];
  let size = 8 + 30;
  for (const [i, line] of lines.entries()) {
    if (size + line.length + 1 > DISCORD_LIMITS.fieldValue) {
      kept.push(`… ${lines.length - i} more`);
      break;
    }
    kept.push(line);
    size += line.length + 1;
  }
  return `\`\`\`\n${kept.join('\n')}\n\`\`\``;
}

/**
 * One embed: claim checks in the description, compact tables per workload as fields, host in the footer;
 * always within Discord's limits (fields dropped from the end, description shortened, if needed).
 * @example
 * renderDiscordEmbed(doc).fields[0]?.name; // 'Training · MLP'
 */
export function renderDiscordEmbed(doc: BenchResultDoc): DiscordEmbed {
  const fields: DiscordEmbedField[] = [];
  const workloads = [...new Set(doc.rows.map((r) => r.workload))];
  for (const w of workloads) {
    const rows = doc.rows.filter((r) => r.workload === w);
    const train = trainingTable(rows, 'text', true);
    if (train) fields.push({ name: `Training · ${workloadName(w)}`, value: codeValue(train), inline: false });
    const infer = inferenceTable(rows, 'text', true);
    if (infer)
      fields.push({ name: `Inference · ${workloadName(w)}`, value: codeValue(infer), inline: false });
    const mm = matmulTable(rows, 'text', true);
    if (mm) fields.push({ name: 'Matmul · TFLOP/s', value: codeValue(mm), inline: false });
  }
  const problems = problemLines(doc);
  if (problems.length > 0)
    fields.push({
      name: 'Not run',
      value: truncate(problems.map((p) => `• ${p}`).join('\n'), DISCORD_LIMITS.fieldValue),
      inline: false,
    });
  const embed: DiscordEmbed = {
    title: truncate(`TensorDuel benchmark${doc.completed ? '' : ' (cancelled)'}`, DISCORD_LIMITS.embedTitle),
    description: '',
    color: 0xf59e0b,
    fields: fields.slice(0, DISCORD_LIMITS.fields).map((f) => ({
      ...f,
      name: truncate(f.name, DISCORD_LIMITS.fieldName),
      value: truncate(f.value, DISCORD_LIMITS.fieldValue),
    })),
    footer: {
      text: truncate(
        `${hostLine(doc.environment)} · ${settingsLine(doc)} · ${doc.id}`,
        DISCORD_LIMITS.footer,
      ),
    },
    timestamp: doc.createdAt,
  };
  const claims = [...claimLines(doc), ...matmulLines(doc)].map((c) => `• ${c}`).join('\n');
  const minDescription = 600;
  while (
    embed.fields.length > 0 &&
    embedSize(embed) + Math.min(claims.length, minDescription) > DISCORD_LIMITS.embedTotal
  )
    embed.fields.pop();
  const budget = Math.min(DISCORD_LIMITS.embedDescription, DISCORD_LIMITS.embedTotal - embedSize(embed));
  embed.description = truncate(claims || 'No comparable rows.', Math.max(0, budget));
  return embed;
}
