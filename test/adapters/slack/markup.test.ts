import { describe, expect, it } from 'vitest';
import { fromSlackText } from '../../../src/adapters/slack/markup.ts';

describe('Slack markup normaliser', () => {
  it('drops mentions, broadcasts, user groups and channel links', () => {
    expect(
      fromSlackText(
        '<@U123> <!channel> <!here> <!everyone> <!subteam^S0123|@devs> <!subteam^S9> @channel is pytorch faster? <#C1|ml-team>',
      ),
    ).toBe('is pytorch faster?');
  });

  it('keeps a labelled link as its label and drops bare links', () => {
    expect(
      fromSlackText('is <https://pytorch.org|PyTorch> faster? see <https://example.com/x?a=1&amp;b=2>'),
    ).toBe('is PyTorch faster? see');
  });

  it('drops emoji shortcodes (with skin tones) but keeps times and decorators', () => {
    expect(fromSlackText(':thinking_face: :+1::skin-tone-3: is eager mode slower? :tada:')).toBe(
      'is eager mode slower?',
    );
    expect(fromSlackText('at 12:30:45 what does @tf.function do?')).toBe(
      'at 12:30:45 what does @tf.function do?',
    );
  });

  it('decodes entities after removing markup, and reads a date by its fallback', () => {
    expect(
      fromSlackText('TF &gt; PyTorch &amp; JAX &lt;3 since <!date^1392734382^{date}|Feb 18, 2014>'),
    ).toBe('TF > PyTorch & JAX <3 since Feb 18, 2014');
  });

  it('leaves nothing of a message that is only markup', () => {
    expect(fromSlackText('<@UBOT> <!here> :wave:')).toBe('');
  });
});
