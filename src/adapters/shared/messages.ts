/**
 * The user-facing texts every chat platform shows on its own (not the core's answers): help and usage, the
 * interrupted-run notices, feedback thanks and failure, the one "something went wrong", the queue being
 * unavailable, admin refusals. Each platform builds one catalog with its command syntax, so a Discord user is
 * told `/bench` and a Slack user `/tensorduel bench`.
 *
 * Using it:
 * ```ts
 * import { DISCORD_SYNTAX } from '../shared/command-table.ts';
 * import { ChatMessages } from '../shared/messages.ts';
 * const messages = new ChatMessages(DISCORD_SYNTAX);
 * messages.help({ bench: true });             // the help prepend, generated from the command table
 * messages.interruptedNotice(run);            // "your benchmark `b3` was interrupted … Start it again with `/bench`."
 * messages.relay(answer.message);             // a queue answer, its `/tensorduel x` spelled `/x`
 * messages.feedbackFailed / .somethingWentWrong / .queueUnavailable / .notAdmin('report')
 * ```
 */
import type { BenchRun } from '../../core/jobs/bench-run.ts';
import {
  COMMAND_TABLE,
  type CommandName,
  type CommandSyntax,
  type HelpScope,
  helpText,
  isCommandName,
} from './command-table.ts';

/** Shown when the core fails to answer; never includes the error itself. */
export const SOMETHING_WENT_WRONG =
  'Sorry, something went wrong on my side while answering that. Please try again in a moment.';
/** Shown when a button's context is no longer known. */
export const EXPIRED_BUTTON = 'That button has expired. Please ask me again.';
/** Shown after a 👍/👎 click. */
export const FEEDBACK_THANKS = 'Thanks for the feedback!';
/** Shown when a 👍/👎 could not be stored. */
export const FEEDBACK_FAILED = 'Sorry, I could not save your feedback. Please try again later.';
/** Shown when the benchmark queue (its Redis) cannot be reached. */
export const QUEUE_UNAVAILABLE =
  'The benchmark queue is unavailable right now (its Redis cannot be reached). Questions still work; try the benchmark again in a minute.';

/** The commands the core and the queue name in their texts, spelled the Slack way (`/tensorduel bench`). */
const CANONICAL = /\/tensorduel ([a-z]+)/g;

/** One platform's catalog of the texts it shows on its own. */
export class ChatMessages {
  readonly syntax: CommandSyntax;
  readonly somethingWentWrong = SOMETHING_WENT_WRONG;
  readonly expiredButton = EXPIRED_BUTTON;
  readonly feedbackThanks = FEEDBACK_THANKS;
  readonly feedbackFailed = FEEDBACK_FAILED;
  readonly queueUnavailable = QUEUE_UNAVAILABLE;

  constructor(syntax: CommandSyntax) {
    this.syntax = syntax;
  }

  /** `name` with `args` as a user types it here, in code quotes. */
  command(name: CommandName, args?: string): string {
    return `\`${this.syntax.command(name, args)}\``;
  }

  /** The help prepend (and the usage shown with an unknown command), generated from the command table. */
  help(scope: HelpScope): string {
    return helpText(this.syntax, scope);
  }

  /** The answer to an empty or unknown command: what it is not, then the usage. */
  unknownCommand(typed: string, scope: HelpScope): string {
    const intro = typed === '' ? '' : `I don't know the command \`${typed.slice(0, 40)}\`. `;
    return `${intro}Here is what I can do:\n${this.help(scope)}`;
  }

  /** A command run without a required argument, with the table's example. */
  missingArgument(name: CommandName): string {
    const def = COMMAND_TABLE[name];
    const what = def.options.find((o) => o.required)?.placeholder ?? 'argument';
    const example = def.example?.replace(/^\S+\s*/, '');
    return `Please add your ${what}${example ? `, e.g. ${this.command(name, example)}` : ''}.`;
  }

  /** A command only admins may run, asked by someone else. */
  notAdmin(name: CommandName): string {
    return `Sorry, ${this.command(name)} is for TensorDuel's admins (TENSORDUEL_ADMINS in its configuration). Ask one of them if you need it.`;
  }

  /** A benchmark command on a host where chat benchmarks are off. */
  benchOff(): string {
    return `Benchmarks from chat are off on this host. Ask me about performance instead, or run \`tensorduel bench\` in a terminal.`;
  }

  /** `compare` without two run ids. */
  compareNeedsTwo(): string {
    return `Name two runs to compare, e.g. ${this.command('compare', 'b1 b2')}.`;
  }

  /**
   * The status text of a run cut off by a restart: when a partial result was kept, it says so and how to see
   * it, so the status message and `results` tell one story.
   */
  interruptedStatus(run: BenchRun, text: string): string {
    if (run.status !== 'interrupted' || !run.resultId) return text;
    const kept = `what finished before the restart is kept as a partial result (${this.command('results', run.id)}); run it again for the full result.`;
    const replaced = text.replace(/run it again to get results\.?$/, kept);
    return replaced === text ? `${text} ${kept[0]?.toUpperCase()}${kept.slice(1)}` : replaced;
  }

  /** The requester's notice when a restart cut their run off (the platform puts the mention in front). */
  interruptedNotice(run: BenchRun): string {
    const kept = run.resultId
      ? ` What finished before it is kept as a partial result: ${this.command('results', run.id)}.`
      : '';
    return `your benchmark \`${run.id}\` was interrupted by a restart of TensorDuel.${kept} Start it again with ${this.command('bench')}.`;
  }

  /**
   * A text from the queue or the core that names a command the Slack way (`/tensorduel bench`), spelled for
   * this platform.
   * @example new ChatMessages(DISCORD_SYNTAX).relay('Start one with `/tensorduel bench`.') // 'Start one with `/bench`.'
   */
  relay(text: string): string {
    return text.replace(CANONICAL, (whole, name: string) =>
      isCommandName(name) ? this.syntax.command(name) : whole,
    );
  }
}
