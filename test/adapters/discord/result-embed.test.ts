/** The Discord embed of a result stays within Discord's limits, whatever the size of the result. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiscordEmbed, renderDiscordEmbed } from '../../../src/adapters/discord/result-embed.ts';
import { DISCORD_LIMITS } from '../../../src/adapters/shared/limits.ts';
import type { BenchResultDoc } from '../../../src/core/bench/result.ts';
import { tinyWorkloads } from '../../helpers/bench.ts';
import { hugeDoc, smallDoc } from '../../helpers/result-docs.ts';

let small: BenchResultDoc;
let huge: BenchResultDoc;

beforeAll(async () => {
  const workloads = await tinyWorkloads();
  small = smallDoc(workloads);
  huge = hugeDoc(workloads);
});

function discordChecks(embed: DiscordEmbed): void {
  expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedTitle);
  expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedDescription);
  expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
  expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
  let total = embed.title.length + embed.description.length + embed.footer.text.length;
  for (const f of embed.fields) {
    expect(f.name.length).toBeGreaterThan(0);
    expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    total += f.name.length + f.value.length;
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
}

describe('Discord result embed', () => {
  it('Discord embed stays within 25 fields, 1024 per value and 6000 in total', () => {
    const embed = renderDiscordEmbed(small);
    discordChecks(embed);
    expect(embed.fields.map((f) => f.name)).toContain('Training · MLP');
    expect(embed.fields.map((f) => f.name)).toContain('Not run');
    expect(embed.description).toMatch(/Training speed \(MLP\)/);
    const big = renderDiscordEmbed(huge);
    discordChecks(big);
    expect(big.fields.length).toBeGreaterThan(0);
    for (const f of big.fields.filter((x) => x.value.startsWith('```')))
      expect(f.value.endsWith('```'), f.name).toBe(true);
  });
});
