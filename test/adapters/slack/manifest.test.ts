import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

it('the Slack manifest asks for exactly what the adapter uses', () => {
  const manifest = parse(readFileSync('manifest.yml', 'utf8'));
  expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([
    '/tensorduel',
  ]);
  expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
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
    'files:write',
    'groups:history',
    'im:history',
  ]);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  // Every /tensorduel sub-command the adapter serves is in the usage hint.
  for (const sub of ['ask', 'recommend', 'bench', 'cancel', 'results', 'compare', 'help'])
    expect(manifest.features.slash_commands[0].usage_hint).toContain(sub);
  expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  // The assistant panel: the view, its scope and its events (the adapter registers Bolt's Assistant).
  expect(manifest.features.assistant_view.assistant_description).toMatch(/TensorFlow vs PyTorch/);
});
