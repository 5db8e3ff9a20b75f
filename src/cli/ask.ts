/**
 * `tensorduel ask "question" [--json] [--explain] [--stdin]`: one answer, or one JSON line per stdin line; stdin
 * lines are plain text (one conversation) or JSON lines naming their conversation, so many dialogues run in one
 * process.
 */
import { createInterface } from 'node:readline';
import { type Explanation, type Reply, replyText } from '../core/types.ts';
import { parseCommandArgs, UsageError } from './args.ts';
import { startAdvisor } from './runtime.ts';

/** `tensorduel ask --help`. */
export const usage = `Usage: tensorduel ask [--json] [--explain] [--] "question"
       tensorduel ask --stdin [--explain] < messages

  --json      print one JSON object: question, intent, confidence, answer, sources, framework, suggestions
  --explain   also print why the reply was chosen, one line per stage (with JSON output: an "explain" array)
  --stdin     read one message per line and print one JSON line per message, in order. A line is plain text
              (all plain lines are one conversation) or a JSON line {"conversation": "name", "text": "..."}:
              each named conversation keeps its own state for this run
  -h, --help  this help
  --          ends the options: tensorduel ask -- "-v is faster?"`;

/** The CLI's JSON shape: exactly these fields. */
export interface AskJson {
  question: string;
  intent: Reply['intent'];
  confidence: number;
  answer: string;
  sources: Array<{ id: string; section: string }>;
  framework: Reply['framework'];
  suggestions: string[];
}

/** Maps a reply to the CLI's JSON object. */
export function toAskJson(question: string, reply: Reply): AskJson {
  return {
    question,
    intent: reply.intent,
    confidence: Math.round(reply.confidence * 1000) / 1000,
    answer: replyText(reply),
    sources: reply.sources.map((s) => ({ id: s.id, section: s.section })),
    framework: reply.framework,
    suggestions: reply.suggestions,
  };
}

/** Terminal text of a reply: the answer, its source, and numbered suggestions. */
export function formatReply(reply: Reply): string {
  const lines = [replyText(reply)];
  if (reply.choices.length > 0) lines.push(reply.choices.map((c, i) => `  ${i + 1}. ${c.label}`).join('\n'));
  if (reply.sources.length > 0)
    lines.push(`— Source: ${reply.sources.map((s) => `${s.section} [${s.id}]`).join('; ')}`);
  return lines.join('\n\n');
}

/** One stdin line: a message (in a named conversation, or the plain-text one), or why it was refused. */
export type StdinMessage = { conversation?: string; text: string } | { error: string };

/**
 * Reads one `--stdin` line: a JSON object (a line starting with `{`) must carry a string `text` and may name
 * its `conversation`; anything else is a plain-text message.
 * @example parseStdinLine('{"conversation": "d1", "text": "tf or torch?"}') // → { conversation: 'd1', text: 'tf or torch?' }
 */
export function parseStdinLine(line: string): StdinMessage {
  if (!line.trimStart().startsWith('{')) return { text: line };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      error: 'a line starting with "{" must be one JSON object {"conversation": "...", "text": "..."}',
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: 'a JSON line must be an object {"conversation": "...", "text": "..."}' };
  const { conversation, text } = value as Record<string, unknown>;
  if (typeof text !== 'string') return { error: 'a JSON line needs a "text" string' };
  if (conversation === undefined) return { text };
  if (typeof conversation !== 'string' || conversation.trim() === '')
    return { error: '"conversation" must be a non-empty string' };
  return { conversation, text };
}

/** One line per stage of the reply's explanation: stage, decision, scores, features. */
export function formatExplain(explain: readonly Explanation[] | undefined): string {
  if (!explain || explain.length === 0) return 'Why: (no explanation recorded)';
  const lines = explain.map((e) => {
    const parts = [`${e.stage}: ${e.decision}`];
    const scores = Object.entries(e.scores ?? {});
    if (scores.length > 0)
      parts.push(`scores ${scores.map(([k, v]) => `${k}=${Math.round(v * 1000) / 1000}`).join(', ')}`);
    if (e.features && e.features.length > 0) parts.push(`features ${e.features.join(', ')}`);
    return `  ${parts.join(' · ')}`;
  });
  return ['Why:', ...lines].join('\n');
}

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { json: { type: 'boolean' }, stdin: { type: 'boolean' }, explain: { type: 'boolean' } },
    { positionals: true },
  );
  if (parsed.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const {
    json = false,
    stdin = false,
    explain = false,
  } = parsed.values as Record<string, boolean | undefined>;
  const question = parsed.positionals.join(' ');
  if (stdin && parsed.positionals.length > 0)
    throw new UsageError('Give either a question or --stdin, not both.');
  if (!stdin && question.trim() === '')
    throw new UsageError('Give a question: tensorduel ask "your question".');

  const { handle } = await startAdvisor({ quiet: true });
  // Conversation ids are scoped to this run, so running a file of dialogues twice starts each one fresh.
  const runId = `ask-${process.pid}-${Date.now()}`;
  const conversationId = (name?: string) =>
    name === undefined ? `console:${runId}` : `console:${runId}:${name}`;
  const answer = async (text: string, conversation?: string) => {
    const reply = await handle.advisor.handle({
      conversationId: conversationId(conversation),
      userId: 'cli:user',
      text,
    });
    if (json || stdin) {
      const out = {
        ...toAskJson(text, reply),
        ...(conversation !== undefined ? { conversation } : {}),
        ...(explain ? { explain: reply.explain ?? [] } : {}),
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      process.stdout.write(`${formatReply(reply)}\n${explain ? `\n${formatExplain(reply.explain)}\n` : ''}`);
    }
  };
  let refused = 0;
  try {
    if (!stdin) {
      await answer(question);
    } else {
      const rl = createInterface({
        input: process.stdin,
        crlfDelay: Number.POSITIVE_INFINITY,
        terminal: false,
      });
      let n = 0;
      for await (const line of rl) {
        n++;
        const message = parseStdinLine(line);
        if ('error' in message) {
          refused++;
          process.stderr.write(`tensorduel ask: stdin line ${n} skipped: ${message.error}\n`);
        } else await answer(message.text, message.conversation);
      }
    }
  } finally {
    await handle.close();
  }
  return refused > 0 ? 1 : 0;
}
