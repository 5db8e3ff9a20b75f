import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../../src/adapters/shared/command-table.ts';
import { ASK_SHORTCUT } from '../../../src/adapters/slack/SlackAdapter.ts';

it('the Slack manifest asks for exactly what the adapter uses', () => {
  const manifest = parse(readFileSync('manifest.yml', 'utf8'));
  expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([
    '/tensorduel',
  ]);
  expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
    'app_home_opened',
    'app_mention',
    'assistant_thread_context_changed',
    'assistant_thread_started',
    'message.channels',
    'message.groups',
    'message.im',
  ]);
  expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
    'app_mentions:read',
    'assistant:write',
    'channels:history',
    'chat:write',
    'commands',
    'files:read',
    'files:write',
    'groups:history',
    'im:history',
  ]);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  // Every sub-command of the command table is in the usage hint.
  for (const command of COMMANDS)
    expect(manifest.features.slash_commands[0].usage_hint).toContain(command.name);
  expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
  // The message shortcut the adapter listens for.
  expect(manifest.features.shortcuts).toEqual([
    expect.objectContaining({
      type: 'message',
      callback_id: ASK_SHORTCUT,
      name: 'Ask TensorDuel about this message',
    }),
  ]);
  // The assistant panel: the view, its scope and its events (the adapter registers Bolt's Assistant).
  expect(manifest.features.assistant_view.assistant_description).toMatch(/TensorFlow vs PyTorch/);
});
