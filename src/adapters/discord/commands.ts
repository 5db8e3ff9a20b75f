/** Discord slash command definitions (registered by `npm run discord:register`). */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { COMMAND_DESCRIPTIONS } from '../shared/commands.ts';

/** The string option each command reads, if any. */
export const COMMAND_OPTION = { ask: 'question', recommend: 'details', bench: 'workload' } as const;

/** `/ask question`, `/recommend [details]`, `/bench [workload]`, `/help`. */
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
        description: 'What to benchmark, e.g. "mlp on cpu" (optional)',
        type: ApplicationCommandOptionType.String,
        required: false,
        max_length: 200,
      },
    ],
  },
  { name: 'help', type: ApplicationCommandType.ChatInput, description: COMMAND_DESCRIPTIONS.help },
] satisfies RESTPostAPIChatInputApplicationCommandsJSONBody[];
