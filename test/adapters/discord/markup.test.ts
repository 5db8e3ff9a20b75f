import { describe, expect, it } from 'vitest';
import { fromDiscordText } from '../../../src/adapters/discord/markup.ts';

describe('Discord markup normaliser', () => {
  it('drops user, role and channel mentions and @everyone/@here', () => {
    expect(fromDiscordText('<@100> <@!101> @everyone @here <@&600> is pytorch faster? <#300>')).toBe(
      'is pytorch faster?',
    );
  });

  it('drops custom and animated emoji and shortcodes', () => {
    expect(fromDiscordText('<:pepe:123456> <a:party:654321> :thinking: which one is easier to learn?')).toBe(
      'which one is easier to learn?',
    );
  });

  it('drops typed @names but keeps decorators', () => {
    expect(fromDiscordText('@TensorDuel what does @tf.function do?')).toBe('what does @tf.function do?');
  });

  it('keeps masked links as their label and drops bare links, command mentions and timestamps', () => {
    expect(
      fromDiscordText(
        'is [PyTorch](https://pytorch.org) faster <https://x.example> since <t:1700000000:R>? </ask:42>',
      ),
    ).toBe('is PyTorch faster since ?');
  });
});
