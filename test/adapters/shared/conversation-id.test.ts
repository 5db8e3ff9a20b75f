import { describe, expect, it } from 'vitest';
import { decodeConversation, encodeConversation } from '../../../src/adapters/shared/conversation-id.ts';

describe('the conversation-id codec', () => {
  it('writes the ids stored conversations already use', () => {
    expect(
      encodeConversation({ platform: 'slack', channel: 'C1', place: { kind: 'thread', id: '1700.01' } }),
    ).toBe('slack:C1:1700.01');
    expect(encodeConversation({ platform: 'slack', channel: 'D1', place: { kind: 'dm' } })).toBe(
      'slack:D1:dm',
    );
    expect(
      encodeConversation({ platform: 'slack', channel: 'C1', place: { kind: 'command', id: '9.8.a' } }),
    ).toBe('slack:C1:cmd-9.8.a');
  });

  it('reads back what it wrote, also for ids with colons in them', () => {
    for (const ref of [
      { platform: 'discord', channel: '123', place: { kind: 'thread' as const, id: '456' } },
      { platform: 'discord', channel: '123', place: { kind: 'dm' as const } },
      { platform: 'slack', channel: 'C:1%', place: { kind: 'command' as const, id: 'a:b' } },
    ])
      expect(decodeConversation(encodeConversation(ref))).toEqual(ref);
  });

  it('refuses what is not an id of the platform asked for', () => {
    expect(decodeConversation('slack:C1:dm', 'discord')).toBeUndefined();
    expect(decodeConversation('console:local')).toBeUndefined();
    expect(decodeConversation('slack::dm')).toBeUndefined();
    expect(decodeConversation('slack:C1:x:y')).toBeUndefined();
  });
});
