/**
 * Slack's AI-assistant panel ("Agents & AI Apps", paid plans) on Bolt's `Assistant` class: suggested prompts
 * when a user opens a thread, an "is thinking…" status while the advisor answers, and the thread's title.
 * Where the workspace has no assistant panel none of its events arrive; mentions and DMs work as before.
 */
import { Assistant } from '@slack/bolt';

/** A suggested prompt: the button's title and the message it sends. */
export interface SuggestedPrompt {
  title: string;
  message: string;
}

/**
 * The article's most asked questions, shown when an assistant thread opens (Slack shows up to four).
 * The questions are the canonical questions of knowledge entries, so each is answered outright.
 */
export const DEFAULT_SUGGESTED_PROMPTS: readonly SuggestedPrompt[] = [
  {
    title: 'What is the main difference?',
    message: 'What is the main difference between TensorFlow and PyTorch?',
  },
  { title: 'Which is easier to learn?', message: 'Which framework is easier to learn?' },
  { title: 'Which trains faster?', message: 'Which framework trains faster, TensorFlow or PyTorch?' },
  { title: 'Help me choose', message: 'help me pick a framework' },
];

/** The status shown while TensorDuel works on an answer in an assistant thread. */
export const THINKING_STATUS = 'is thinking…';

/** A message in an assistant (or DM) thread, as the Assistant middleware passes it on. */
export interface AssistantThreadMessage {
  channel: string;
  threadTs: string;
  ts: string;
  user: string;
  text: string;
}

/** What the adapter does with each assistant event; the helpers are Bolt's, bound to the thread. */
export interface AssistantHandlers {
  prompts: readonly SuggestedPrompt[];
  /** A thread opened: show the prompts (and greet). */
  threadStarted(thread: { channel: string; threadTs: string }, tools: AssistantTools): Promise<void>;
  /** A person wrote in the thread: answer it. */
  userMessage(message: AssistantThreadMessage, tools: AssistantTools): Promise<void>;
}

/** Bolt's assistant helpers for the thread at hand. */
export interface AssistantTools {
  setSuggestedPrompts(prompts: readonly SuggestedPrompt[], title: string): Promise<unknown>;
  setStatus(status: string): Promise<unknown>;
  setTitle(title: string): Promise<unknown>;
}

interface StartedPayload {
  assistant_thread?: { channel_id?: string; thread_ts?: string; user_id?: string };
}

interface MessagePayload {
  channel?: string;
  thread_ts?: string;
  ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
}

/**
 * The Bolt `Assistant` for TensorDuel. Its thread context store keeps nothing: TensorDuel does not use the
 * channel a thread was opened from, and Bolt's default store would read and rewrite thread metadata.
 * @example app.assistant(tensorDuelAssistant(handlers));
 */
export function tensorDuelAssistant(handlers: AssistantHandlers): Assistant {
  return new Assistant({
    threadContextStore: { get: async () => ({}), save: async () => {} },
    threadStarted: async ({ payload, setSuggestedPrompts, setStatus, setTitle }) => {
      const thread = (payload as StartedPayload).assistant_thread;
      if (!thread?.channel_id || !thread.thread_ts) return;
      await handlers.threadStarted(
        { channel: thread.channel_id, threadTs: thread.thread_ts },
        {
          setSuggestedPrompts: (prompts, title) => setSuggestedPrompts({ prompts: [...prompts], title }),
          setStatus,
          setTitle,
        },
      );
    },
    threadContextChanged: async () => {},
    userMessage: async ({ payload, setSuggestedPrompts, setStatus, setTitle }) => {
      const m = payload as MessagePayload;
      // Bolt's ignoreSelf drops our own posts; other bots' posts are not questions either.
      if (m.bot_id || !m.user || !m.channel || !m.thread_ts || !m.ts) return;
      await handlers.userMessage(
        { channel: m.channel, threadTs: m.thread_ts, ts: m.ts, user: m.user, text: m.text ?? '' },
        {
          setSuggestedPrompts: (prompts, title) => setSuggestedPrompts({ prompts: [...prompts], title }),
          setStatus,
          setTitle,
        },
      );
    },
  });
}
