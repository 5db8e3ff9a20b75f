/** `tensorduel ask "question" [--json] [--stdin]`: one answer, or one JSON line per stdin line. */
import { createInterface } from 'node:readline';
import { ErrorCode, UserError } from '../core/errors.ts';
import { type Reply, replyText } from '../core/types.ts';
import { startAdvisor } from './runtime.ts';

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

function parseArgs(args: string[]): { json: boolean; stdin: boolean; question: string } {
  let json = false;
  let stdin = false;
  const words: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a === '--stdin') stdin = true;
    else if (a.startsWith('--'))
      throw new UserError(
        ErrorCode.UnknownArgument,
        `Unknown option "${a}". Valid options: --json, --stdin.`,
      );
    else words.push(a);
  }
  if (stdin && words.length > 0)
    throw new UserError(ErrorCode.InvalidInput, 'Give either a question or --stdin, not both.');
  if (!stdin && words.length === 0)
    throw new UserError(
      ErrorCode.InvalidInput,
      'Usage: tensorduel ask "your question" [--json] | --stdin [--json]',
    );
  return { json, stdin, question: words.join(' ') };
}

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { handle } = await startAdvisor({ quiet: true });
  // One conversation per invocation: piped lines can hold a whole recommendation dialogue.
  const conversationId = `cli:${process.pid}:${Date.now()}`;
  const answer = async (question: string) => {
    const reply = await handle.advisor.handle({ conversationId, userId: 'cli:user', text: question });
    process.stdout.write(
      parsed.json || parsed.stdin
        ? `${JSON.stringify(toAskJson(question, reply))}\n`
        : `${formatReply(reply)}\n`,
    );
  };
  try {
    if (!parsed.stdin) {
      await answer(parsed.question);
    } else {
      const rl = createInterface({
        input: process.stdin,
        crlfDelay: Number.POSITIVE_INFINITY,
        terminal: false,
      });
      for await (const line of rl) await answer(line);
    }
  } finally {
    await handle.close();
  }
  return 0;
}
