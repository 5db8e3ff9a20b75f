/**
 * Interaction responses after the first (the edited deferred reply and follow-ups) over a REST client of their
 * own, outside the bot's global rate limit.
 *
 * Discord: "Interaction endpoints are not bound to the bot's Global Rate Limit" (docs, Rate Limits → Global Rate
 * Limit). discord.js's REST exempts only the initial callback: `editReply` and `followUp` go through its
 * sequential handlers and spend the same 50 requests/s as channel messages. Under a burst that made 200 slash
 * command answers and 200 mention replies share one budget (8 s of it), and each kind waited behind the other.
 * Here the interaction webhook has no global budget; the per-route limits Discord announces in its headers
 * (per interaction token) still hold, and a 429 Discord sends still goes to the adapter's retry.
 */
import { REST, RESTEvents, type RESTOptions, Routes } from 'discord.js';
import type { Logger } from '../../core/ports.ts';
import { serverRateLimitsOnly } from './rate-limits.ts';
import type { DiscordMessage } from './render.ts';

/** What an interaction webhook call needs of an interaction: its application and its token. */
export interface InteractionRef {
  applicationId: string;
  token: string;
}

/** A message sent through the interaction webhook; `id` is the message Discord created or edited. */
export interface WebhookMessage {
  id: string;
}

/** The bot pings nobody, as with the client's own `allowedMentions`. */
const NO_PINGS = { parse: [] as string[] };
const EPHEMERAL = 1 << 6;

/** Sends `PATCH …/messages/@original` and follow-ups for interactions, outside the global rate limit. */
export class InteractionWebhook {
  readonly #rest: REST;

  constructor(options: { apiUrl: string; logger: Logger }) {
    const limits = serverRateLimitsOnly();
    const rest: Partial<RESTOptions> = {
      api: options.apiUrl,
      retries: 0,
      // Not a bypass of a Discord limit: Discord applies none to these endpoints (see the file comment).
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      rejectOnRateLimit: limits.rejectOnRateLimit,
    };
    this.#rest = new REST(rest);
    this.#rest.on(RESTEvents.Response, (request, response) => limits.onResponse(request, response));
    this.#rest.on(RESTEvents.RateLimited, (info) =>
      options.logger.warn('discord: rate limited', {
        platform: 'discord',
        route: info.route,
        retryAfterMs: info.retryAfter,
      }),
    );
  }

  /** Replaces the deferred reply (or the reply) of `interaction` with `message`. */
  async editOriginal(interaction: InteractionRef, message: DiscordMessage): Promise<WebhookMessage> {
    return (await this.#rest.patch(
      Routes.webhookMessage(interaction.applicationId, interaction.token, '@original'),
      { body: { ...message, allowed_mentions: NO_PINGS }, auth: false },
    )) as WebhookMessage;
  }

  /** Sends `message` as a follow-up of `interaction` (only the user sees it when `ephemeral`). */
  async followUp(
    interaction: InteractionRef,
    message: DiscordMessage,
    ephemeral: boolean,
  ): Promise<WebhookMessage> {
    return (await this.#rest.post(Routes.webhook(interaction.applicationId, interaction.token), {
      body: { ...message, allowed_mentions: NO_PINGS, ...(ephemeral ? { flags: EPHEMERAL } : {}) },
      query: new URLSearchParams({ wait: 'true' }),
      auth: false,
    })) as WebhookMessage;
  }

  /** Stops the client's sweep timers (shutdown). */
  close(): void {
    this.#rest.clearHashSweeper();
    this.#rest.clearHandlerSweeper();
  }
}
