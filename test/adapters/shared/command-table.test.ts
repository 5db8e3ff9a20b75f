import { describe, expect, it } from 'vitest';
import {
  COMMAND_NAMES,
  COMMAND_TABLE,
  COMMANDS,
  commandUsage,
  DISCORD_SYNTAX,
  helpText,
  missingOptions,
  parseCommandLine,
  slackSyntax,
} from '../../../src/adapters/shared/command-table.ts';
import { DISCORD_LIMITS } from '../../../src/adapters/shared/limits.ts';

describe('the command table', () => {
  it('defines each command once, with the flags the platforms generate from', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(COMMANDS.filter((c) => c.userInstallable).map((c) => c.name)).toEqual([
      'ask',
      'recommend',
      'help',
    ]);
    expect(COMMANDS.filter((c) => c.adminOnly).map((c) => c.name)).toEqual(['report']);
    expect(COMMAND_TABLE.bench.options.map((o) => o.autocomplete ?? o.choices?.map((c) => c.value))).toEqual([
      'workloads',
      'engines',
      ['auto', 'cpu', 'cuda'],
    ]);
    for (const name of ['results', 'compare', 'cancel'] as const)
      expect(COMMAND_TABLE[name].options.every((o) => o.autocomplete === 'runIds')).toBe(true);
  });

  it('keeps every description and option within Discord limits', () => {
    for (const c of COMMANDS) {
      expect(c.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.commandDescription);
      expect(c.name).toMatch(/^[a-z]{1,32}$/);
      for (const o of c.options) {
        expect(o.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.optionDescription);
        expect(o.name).toMatch(/^[a-z]{1,32}$/);
      }
      // Discord wants required options before optional ones.
      const required = c.options.map((o) => o.required);
      expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
    }
  });
});

describe('parseCommandLine', () => {
  it('reads the command word in any case and the rest of the line as the question', () => {
    expect(parseCommandLine('  ASK is  PyTorch faster? ')).toEqual({
      kind: 'command',
      command: 'ask',
      args: 'is  PyTorch faster?',
      values: { question: 'is  PyTorch faster?' },
    });
  });

  it('gives positional run ids to results and compare', () => {
    expect(parseCommandLine('compare b1 b2')).toMatchObject({ values: { first: 'b1', second: 'b2' } });
    expect(parseCommandLine('results')).toMatchObject({ command: 'results', args: '', values: {} });
    expect(missingOptions('compare', { first: 'b1' }).map((o) => o.name)).toEqual(['second']);
  });

  it('leaves a free-form bench line to the bench parser', () => {
    expect(parseCommandLine('bench cnn gpu torch')).toEqual({
      kind: 'command',
      command: 'bench',
      args: 'cnn gpu torch',
      values: {},
    });
  });

  it('tells an empty line from an unknown command', () => {
    expect(parseCommandLine('   ')).toEqual({ kind: 'empty' });
    expect(parseCommandLine('Frobnicate now')).toEqual({ kind: 'unknown', name: 'Frobnicate' });
  });
});

describe('help and usage', () => {
  it('spells each platform its own way', () => {
    expect(commandUsage(slackSyntax(), 'compare')).toBe('`/tensorduel compare <id1> <id2>`');
    expect(commandUsage(DISCORD_SYNTAX, 'bench')).toBe('`/bench [workloads] [engines] [cpu|gpu]`');
    expect(commandUsage(slackSyntax('/td'), 'ask')).toBe('`/td ask <question>`');
  });

  it('lists the benchmark section only with the queue and the admin section only for admins', () => {
    const plain = helpText(slackSyntax(), { bench: false });
    expect(plain).toContain('- `/tensorduel ask <question>`: Ask a TensorFlow vs PyTorch question');
    expect(plain).toContain('`/tensorduel bench [workloads] [engines] [cpu|gpu]`: Benchmark TensorFlow');
    expect(plain).not.toContain('Benchmarks from chat');
    expect(plain).not.toContain('report');
    const full = helpText(DISCORD_SYNTAX, { bench: true, admin: true });
    expect(full).toContain('**Benchmarks from chat**\n- `/bench [workloads] [engines] [cpu|gpu]`: queue');
    expect(full).toContain('- `/results [last|id]`: show a past result again');
    expect(full).toContain('**For admins**\n- `/report`:');
    expect(full).not.toContain('/tensorduel');
  });
});
