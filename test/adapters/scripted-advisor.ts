/** A scripted AdvisorApi double for adapter tests: fixed replies keyed by message text, every call recorded. */
import type { AdvisorApi, FeedbackInput, IncomingMessage, Reply } from '../../src/core/types.ts';

/** Text that makes the double throw, with a secret-looking message that must never reach a user. */
export const BOOM = 'boom';
/** The secret inside the thrown error. */
export const BOOM_SECRET = 'xoxb-core-secret-0000000000';

const reply = (text: string, extra: Partial<Reply> = {}): Reply => ({
  intent: 'faq',
  confidence: 0.9,
  parts: [{ type: 'text', text }],
  sources: [],
  framework: null,
  suggestions: [],
  choices: [],
  ...extra,
});

/** A reply far beyond every platform's single-message limits, with a long code block in the middle. */
export function longReply(): Reply {
  const paragraph = (i: number) =>
    `**Part ${i}.** PyTorch and TensorFlow both support \`autograd\`, eager execution and compilation. `.repeat(
      6,
    );
  const code = Array.from({ length: 260 }, (_, i) => `x_${i} = torch.randn(${i + 1}, 32)  # step ${i}`).join(
    '\n',
  );
  return reply('', {
    parts: [
      { type: 'text', text: Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n') },
      { type: 'code', language: 'python', code },
      {
        type: 'text',
        text: Array.from({ length: 12 }, (_, i) => `- point ${i}: ${'detail '.repeat(40)}`).join('\n'),
      },
    ],
    sources: [{ id: 'cmp-autograd', section: 'Autograd' }],
    feedback: { entryId: 'cmp-autograd', question: 'long' },
  });
}

/**
 * Records calls; answers `boom` by throwing, `long` with a huge reply, `ambiguous` with buttons, `compare
 * training speed` with a rated answer and two suggested follow-ups, else echoes.
 */
export class ScriptedAdvisor implements AdvisorApi {
  readonly calls: IncomingMessage[] = [];
  readonly feedback: FeedbackInput[] = [];
  /** Messages seen per conversation id: how the double shows that state follows the conversation. */
  readonly turns = new Map<string, number>();

  async handle(message: IncomingMessage): Promise<Reply> {
    this.calls.push(message);
    const turn = (this.turns.get(message.conversationId) ?? 0) + 1;
    this.turns.set(message.conversationId, turn);
    const text = message.text.trim();
    if (text === BOOM) throw new Error(`core exploded while holding ${BOOM_SECRET}`);
    if (text === 'long') return longReply();
    if (text === 'ambiguous')
      return reply('Which topic do you mean?', {
        intent: 'unknown',
        confidence: 0.4,
        suggestions: ['Training speed', 'Deployment'],
        choices: [
          { label: 'Training speed', value: 'compare training speed' },
          { label: 'Deployment', value: 'deployment options' },
        ],
      });
    if (text === 'which trains faster here?')
      return reply('**TensorFlow**, says the article; nothing was measured on this host yet.', {
        sources: [{ id: 'training-speed', section: 'Performance' }],
        offerBenchmark: true,
      });
    if (text === 'compare training speed')
      return reply('**Training speed:** they are close on GPUs.', {
        sources: [{ id: 'cmp-speed', section: 'Performance' }],
        framework: 'either',
        feedback: { entryId: 'cmp-speed', question: 'compare training speed' },
        followups: [
          { label: 'Inference speed', value: 'compare inference speed' },
          { label: 'Memory use', value: 'compare memory use' },
        ],
      });
    return reply(`You said: ${text} (turn ${turn})`, {
      sources: [{ id: 'faq-echo', section: 'Echo' }],
      feedback: { entryId: 'faq-echo', question: text },
    });
  }

  async recordFeedback(feedback: FeedbackInput): Promise<void> {
    this.feedback.push(feedback);
  }
}
