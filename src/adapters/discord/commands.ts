/** Discord slash command definitions (registered by `npm run discord:register`). */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { COMMAND_DESCRIPTIONS } from '../shared/commands.ts';

/** The string option each command reads, if any (`/bench` reads workloads, engines and device). */
export const COMMAND_OPTION = { ask: 'question', recommend: 'details', bench: 'workloads' } as const;

const runOption = (description: string, required: boolean) => ({
  name: 'run',
  description,
  type: ApplicationCommandOptionType.String as const,
  required,
  max_length: 40,
});

/**
 * `/ask question`, `/recommend [details]`, `/bench [workloads] [engines] [device]`, `/help`, and the
 * benchmark queue's `/cancel [run]`, `/results [run]`, `/compare first second`.
 */
export const DISCORD_COMMANDS = [
  {
    name: 'ask',
    type: ApplicationCommandType.ChatInput,
    description: COMMAND_DESCRIPTIONS.ask,
    options: [
      {
        name: COMMAND_OPTION.ask,
        description: 'Your question, e.g. "Is PyTorch better for research?"',
        type: ApplicationCommandOptionType.String,
        required: true,
        max_length: 1000,
      },
    ],
  },
  {
    name: 'recommend',
    type: ApplicationCommandType.ChatInput,
    description: COMMAND_DESCRIPTIONS.recommend,
    options: [
      {
        name: COMMAND_OPTION.recommend,
        description: 'Your project, team or constraints (optional)',
        type: ApplicationCommandOptionType.String,
        required: false,
        max_length: 1000,
      },
    ],
  },
  {
    name: 'bench',
    type: ApplicationCommandType.ChatInput,
    description: COMMAND_DESCRIPTIONS.bench,
    options: [
      {
        name: COMMAND_OPTION.bench,
        description: 'Workloads, e.g. "mlp cnn" (default: all)',
        type: ApplicationCommandOptionType.String,
        required: false,
        max_length: 200,
      },
      {
        name: 'engines',
        description: 'Engines, e.g. "tensorflow pytorch" (default: all)',
        type: ApplicationCommandOptionType.String,
        required: false,
        max_length: 200,
      },
      {
        name: 'device',
        description: 'Where to run (default: the GPU when there is one)',
        type: ApplicationCommandOptionType.String,
        required: false,
        choices: [
          { name: 'auto', value: 'auto' },
          { name: 'cpu', value: 'cpu' },
          { name: 'gpu', value: 'cuda' },
        ],
      },
    ],
  },
  { name: 'help', type: ApplicationCommandType.ChatInput, description: COMMAND_DESCRIPTIONS.help },
  {
    name: 'cancel',
    type: ApplicationCommandType.ChatInput,
    description: 'Cancel a queued or running benchmark',
    options: [runOption('Run id, e.g. b3 (default: your newest)', false)],
  },
  {
    name: 'results',
    type: ApplicationCommandType.ChatInput,
    description: 'Show a past benchmark result',
    options: [runOption('Run id, e.g. b3, or "last" (default)', false)],
  },
  {
    name: 'compare',
    type: ApplicationCommandType.ChatInput,
    description: 'Two benchmark runs side by side',
    options: [
      { ...runOption('First run id, e.g. b1', true), name: 'first' },
      { ...runOption('Second run id, e.g. b2', true), name: 'second' },
    ],
  },
] satisfies RESTPostAPIChatInputApplicationCommandsJSONBody[];
