/**
 * The command table: one definition per chat command, from which every platform generates what it needs:
 * Slack's `/tensorduel <sub-command>` parsing, the usage and help text, and Discord's slash command JSON.
 *
 * Using it:
 * ```ts
 * import { COMMANDS, COMMAND_TABLE, helpText, parseCommandLine } from '../shared/command-table.ts';
 * // Slack: one slash command with sub-commands.
 * const parsed = parseCommandLine('compare b1 b2'); // { kind: 'command', command: 'compare', args: 'b1 b2',
 * //                                                     values: { first: 'b1', second: 'b2' } }
 * // Discord: one slash command per entry; map each option's `type`, `required`, `choices`, `maxLength`, and
 * // set `autocomplete: true` where `autocomplete` names a source ('workloads' | 'engines' | 'runIds').
 * for (const c of COMMANDS) register({ name: c.name, description: c.description, options: c.options.map(…),
 *   ...(c.userInstallable ? { integration_types: [0, 1], contexts: [0, 1, 2] } : {}),
 *   ...(c.adminOnly ? { default_member_permissions: '0' } : {}) });
 * // Help and usage, spelled for the platform (see command-syntax below):
 * helpText(DISCORD_SYNTAX, { bench: true, admin: false });
 * ```
 */

/** Every command's name; also the Slack sub-command and the Discord slash command. */
export const COMMAND_NAMES = [
  'ask',
  'recommend',
  'help',
  'bench',
  'results',
  'compare',
  'cancel',
  'report',
] as const;
/** One command's name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Where a platform with autocomplete (Discord) gets an option's suggestions. */
export type AutocompleteSource = 'workloads' | 'engines' | 'runIds';

/** One argument of a command: a Discord option, a word (or the rest of the line) of a Slack sub-command. */
export interface CommandOption {
  name: string;
  /** What the option is for (Discord shows it; at most 100 characters). */
  description: string;
  type: 'string';
  required: boolean;
  /** The fixed values it may take (`name` shown, `value` sent). */
  choices?: ReadonlyArray<{ name: string; value: string }>;
  /** Suggestions from a live list while the user types (Discord autocomplete). */
  autocomplete?: AutocompleteSource;
  maxLength?: number;
  /** How the usage text names it, e.g. `question` → `<question>` (required) or `[question]` (optional). */
  placeholder: string;
  /** Takes the rest of the line on a text platform (Slack), spaces and all. */
  rest?: boolean;
}

/** Which section of the help a command is listed in. */
export type CommandGroup = 'chat' | 'bench' | 'admin';

/** One chat command. */
export interface CommandDef {
  name: CommandName;
  /** One line, at most 100 characters (Discord's limit): the slash command's description. */
  description: string;
  /** The help line's text after the command. */
  usage: string;
  options: readonly CommandOption[];
  group: CommandGroup;
  /** Only the admins named in TENSORDUEL_ADMINS may run it; everyone else gets a friendly refusal. */
  adminOnly: boolean;
  /** Offered where the app is installed to a user rather than a server (Discord user installs, DMs). */
  userInstallable: boolean;
  /**
   * On a text platform the arguments come in any order and one parser reads them all (`bench cnn gpu torch`),
   * so `parseCommandLine` gives only the text, no per-option values.
   */
  freeForm?: boolean;
  /** A filled-in example, shown when a required argument is missing. */
  example?: string;
}

const runId = (description: string, required: boolean, name = 'run'): CommandOption => ({
  name,
  description,
  type: 'string',
  required,
  autocomplete: 'runIds',
  maxLength: 40,
  placeholder: name === 'run' ? 'id' : name,
});

/** The commands, in the order help lists them. */
export const COMMANDS: readonly CommandDef[] = [
  {
    name: 'ask',
    description: 'Ask a TensorFlow vs PyTorch question',
    usage: 'Ask a TensorFlow vs PyTorch question',
    group: 'chat',
    adminOnly: false,
    userInstallable: true,
    example: 'ask is PyTorch faster than TensorFlow?',
    options: [
      {
        name: 'question',
        description: 'Your question, e.g. "Is PyTorch better for research?"',
        type: 'string',
        required: true,
        maxLength: 1000,
        placeholder: 'question',
        rest: true,
      },
    ],
  },
  {
    name: 'recommend',
    description: 'Get a framework recommendation for your project',
    usage: 'Get a framework recommendation for your project',
    group: 'chat',
    adminOnly: false,
    userInstallable: true,
    example: 'recommend we deploy to phones and know Keras',
    options: [
      {
        name: 'details',
        description: 'Your project, team or constraints (optional)',
        type: 'string',
        required: false,
        maxLength: 1000,
        placeholder: 'about your project',
        rest: true,
      },
    ],
  },
  {
    name: 'bench',
    description: 'Benchmark TensorFlow against PyTorch',
    usage: 'queue a TensorFlow vs PyTorch run on this host',
    group: 'bench',
    adminOnly: false,
    userInstallable: false,
    freeForm: true,
    example: 'bench mlp cnn cpu',
    options: [
      {
        name: 'workloads',
        description: 'Workloads, e.g. "mlp cnn" (default: all)',
        type: 'string',
        required: false,
        autocomplete: 'workloads',
        maxLength: 200,
        placeholder: 'workloads',
      },
      {
        name: 'engines',
        description: 'Engines, e.g. "tensorflow pytorch" (default: all)',
        type: 'string',
        required: false,
        autocomplete: 'engines',
        maxLength: 200,
        placeholder: 'engines',
      },
      {
        name: 'device',
        description: 'Where to run (default: the GPU when there is one)',
        type: 'string',
        required: false,
        choices: [
          { name: 'auto', value: 'auto' },
          { name: 'cpu', value: 'cpu' },
          { name: 'gpu', value: 'cuda' },
        ],
        placeholder: 'cpu|gpu',
      },
    ],
  },
  {
    name: 'cancel',
    description: 'Cancel a queued or running benchmark',
    usage: 'cancel your queued or running benchmark',
    group: 'bench',
    adminOnly: false,
    userInstallable: false,
    options: [runId('Run id, e.g. b3 (default: your newest)', false)],
  },
  {
    name: 'results',
    description: 'Show a past benchmark result',
    usage: 'show a past result again',
    group: 'bench',
    adminOnly: false,
    userInstallable: false,
    options: [{ ...runId('Run id, e.g. b3, or "last" (default)', false), placeholder: 'last|id' }],
  },
  {
    name: 'compare',
    description: 'Two benchmark runs side by side',
    usage: 'two runs side by side',
    group: 'bench',
    adminOnly: false,
    userInstallable: false,
    example: 'compare b1 b2',
    options: [
      { ...runId('First run id, e.g. b1', true, 'first'), placeholder: 'id1' },
      { ...runId('Second run id, e.g. b2', true, 'second'), placeholder: 'id2' },
    ],
  },
  {
    name: 'help',
    description: 'What TensorDuel can do',
    usage: 'What TensorDuel can do',
    group: 'chat',
    adminOnly: false,
    userInstallable: true,
    options: [],
  },
  {
    name: 'report',
    description: 'Admins: what users asked that TensorDuel could not answer',
    usage: 'the top unanswered or 👎 questions, answer rates by intent and the topics asked most',
    group: 'admin',
    adminOnly: true,
    userInstallable: false,
    options: [],
  },
];

/** The commands by name. */
export const COMMAND_TABLE: Readonly<Record<CommandName, CommandDef>> = Object.fromEntries(
  COMMANDS.map((c) => [c.name, c]),
) as Record<CommandName, CommandDef>;

/** True for a command in the table. */
export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** How a platform spells its commands and how a user addresses the bot there. */
export interface CommandSyntax {
  /**
   * The command as a user types it, e.g. `/tensorduel bench mlp` (Slack) or `/bench mlp` (Discord); `args`
   * is already spelled (placeholders or an example).
   */
  command(name: CommandName, args?: string): string;
  /** How to address the bot in a channel, as help says it (e.g. "me (`@TensorDuel`)"). */
  mention: string;
}

/** Slack: one slash command (`/tensorduel` unless the app names it otherwise) with sub-commands. */
export function slackSyntax(slash = '/tensorduel'): CommandSyntax {
  return {
    command: (name, args) => `${slash} ${name}${args ? ` ${args}` : ''}`,
    mention: 'me (`@TensorDuel`)',
  };
}

/** Discord: one slash command per entry. */
export const DISCORD_SYNTAX: CommandSyntax = {
  command: (name, args) => `/${name}${args ? ` ${args}` : ''}`,
  mention: 'me',
};

/** The terminal chat: the same words without a slash. */
export const TERMINAL_SYNTAX: CommandSyntax = {
  command: (name, args) => `tensorduel ${name}${args ? ` ${args}` : ''}`,
  mention: 'me',
};

/**
 * A command with its placeholders, as a usage line shows it.
 * @example commandUsage(slackSyntax(), 'compare') // '`/tensorduel compare <id1> <id2>`'
 */
export function commandUsage(syntax: CommandSyntax, name: CommandName): string {
  const args = COMMAND_TABLE[name].options
    .map((o) => (o.required ? `<${o.placeholder}>` : `[${o.placeholder}]`))
    .join(' ');
  return `\`${syntax.command(name, args)}\``;
}

/** Which sections help shows: the benchmark commands need the queue; the admin ones an admin. */
export interface HelpScope {
  bench: boolean;
  admin?: boolean;
}

/**
 * The help text (the chat Markdown subset), generated from the table.
 * @example helpText(slackSyntax(), { bench: false }).split('\n')[1]
 * // '- `/tensorduel ask <question>`: Ask a TensorFlow vs PyTorch question'
 */
export function helpText(syntax: CommandSyntax, scope: HelpScope): string {
  const line = (c: CommandDef) => `- ${commandUsage(syntax, c.name)}: ${c.usage}`;
  // Without the queue, `bench` is still a chat command: the core explains what a benchmark would run.
  const chat = COMMANDS.filter((c) => c.group === 'chat' || (!scope.bench && c.name === 'bench'));
  const sections = [
    [
      '**TensorDuel commands**',
      ...chat.map((c) =>
        c.name === 'bench' ? `- ${commandUsage(syntax, 'bench')}: ${c.description}` : line(c),
      ),
      `You can also mention ${syntax.mention} in a channel or send me a direct message.`,
    ].join('\n'),
  ];
  if (scope.bench)
    sections.push(
      ['**Benchmarks from chat**', ...COMMANDS.filter((c) => c.group === 'bench').map(line)].join('\n'),
    );
  if (scope.admin)
    sections.push(['**For admins**', ...COMMANDS.filter((c) => c.group === 'admin').map(line)].join('\n'));
  return sections.join('\n\n');
}

/** A typed command line (Slack's `/tensorduel` text), parsed against the table. */
export type ParsedCommandLine =
  | { kind: 'empty' }
  | { kind: 'unknown'; name: string }
  | {
      kind: 'command';
      command: CommandName;
      /** Everything after the command word, trimmed. */
      args: string;
      /** Option values by name (none for a free-form command); a `rest` option takes the rest of the line. */
      values: Partial<Record<string, string>>;
    };

/**
 * Parses `ask is PyTorch faster?` or `compare b1 b2`: the first word names the command (any case).
 * @example parseCommandLine('Results b3') // { kind: 'command', command: 'results', args: 'b3', values: { run: 'b3' } }
 */
export function parseCommandLine(text: string): ParsedCommandLine {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  const [first = '', ...restWords] = trimmed.split(/\s+/);
  const name = first.toLowerCase();
  if (!isCommandName(name)) return { kind: 'unknown', name: first };
  const args = trimmed.slice(first.length).trim();
  const def = COMMAND_TABLE[name];
  const values: Partial<Record<string, string>> = {};
  if (!def.freeForm) {
    const words = [...restWords];
    for (const option of def.options) {
      if (words.length === 0) break;
      if (option.rest) {
        // The rest of the line as typed (inner spacing kept), from where the positional words ended.
        const consumed = restWords.length - words.length;
        values[option.name] = consumed === 0 ? args : words.join(' ');
        break;
      }
      values[option.name] = words.shift();
    }
  }
  return { kind: 'command', command: name, args, values };
}

/** The required options a parsed command line lacks (empty when it can run). */
export function missingOptions(
  command: CommandName,
  values: Partial<Record<string, string>>,
): CommandOption[] {
  return COMMAND_TABLE[command].options.filter((o) => o.required && !values[o.name]);
}
