/**
 * Conversation ids: opaque strings to the core (`slack:C123:1700000000.0001`), built and read only here, so
 * no adapter writes template strings or splits on ':' itself. The format is the one stored conversations
 * already use, so ids minted before this codec still decode.
 *
 * Using it:
 * ```ts
 * import { decodeConversation, encodeConversation } from '../shared/conversation-id.ts';
 * encodeConversation({ platform: 'discord', channel: '123', place: { kind: 'thread', id: '456' } });
 * // 'discord:123:456'
 * encodeConversation({ platform: 'discord', channel: '123', place: { kind: 'dm' } }); // 'discord:123:dm'
 * encodeConversation({ platform: 'slack', channel: 'C1', place: { kind: 'command', id: 'trigger' } });
 * // 'slack:C1:cmd-trigger'
 * decodeConversation('slack:C1:1700000000.0001');
 * // { platform: 'slack', channel: 'C1', place: { kind: 'thread', id: '1700000000.0001' } }
 * ```
 */

/** Where in a channel a conversation lives. */
export type ConversationPlace =
  /** A direct message outside any thread. */
  | { kind: 'dm' }
  /** A thread (Slack thread_ts, a Discord thread or the message a conversation started from). */
  | { kind: 'thread'; id: string }
  /** A slash command's own conversation (Slack trigger_id, Discord interaction id). */
  | { kind: 'command'; id: string };

/** A decoded conversation id. */
export interface ConversationRef {
  /** `slack`, `discord`, `console`, … */
  platform: string;
  channel: string;
  place: ConversationPlace;
}

const DM = 'dm';
const COMMAND = 'cmd-';

// Platform ids have no ':' or '%'; escaping them anyway keeps any id decodable and old ids byte-identical.
const escapePart = (part: string) => part.replace(/%/g, '%25').replace(/:/g, '%3A');
const unescapePart = (part: string) => part.replace(/%3A/gi, ':').replace(/%25/g, '%');

/**
 * The conversation id for `ref`.
 * @example encodeConversation({ platform: 'slack', channel: 'D1', place: { kind: 'dm' } }) // 'slack:D1:dm'
 */
export function encodeConversation(ref: ConversationRef): string {
  const place =
    ref.place.kind === 'dm' ? DM : ref.place.kind === 'command' ? `${COMMAND}${ref.place.id}` : ref.place.id;
  return [ref.platform, ref.channel, place].map(escapePart).join(':');
}

/**
 * Reads a conversation id back; undefined for anything that is not one (a tampered button value, say), or
 * one of another platform when `platform` is given.
 * @example decodeConversation('slack:C1:cmd-42', 'slack') // { platform: 'slack', channel: 'C1', place: { kind: 'command', id: '42' } }
 */
export function decodeConversation(id: string, platform?: string): ConversationRef | undefined {
  const parts = id.split(':');
  if (parts.length !== 3) return undefined;
  const [p = '', channel = '', place = ''] = parts.map(unescapePart);
  if (p === '' || channel === '' || place === '') return undefined;
  if (platform !== undefined && p !== platform) return undefined;
  if (place === DM) return { platform: p, channel, place: { kind: 'dm' } };
  if (place.startsWith(COMMAND) && place.length > COMMAND.length)
    return { platform: p, channel, place: { kind: 'command', id: place.slice(COMMAND.length) } };
  return { platform: p, channel, place: { kind: 'thread', id: place } };
}

/**
 * A platform's user or channel id as the core and the benchmark queue know it.
 * @example platformId('slack', 'U123') // 'slack:U123'
 */
export function platformId(platform: string, id: string): string {
  return `${platform}:${id}`;
}
