/** The collector's secret from `WEBHOOK_AUTHORIZATION`, for every command that serves webhooks. */
import { ConfigError } from '../functions/src/config.js';

export function webhookAuthorization(usage: string): string {
  const authorization = process.env.WEBHOOK_AUTHORIZATION ?? '';
  if (authorization.trim() === '') {
    throw new ConfigError(
      `WEBHOOK_AUTHORIZATION is not set; set it to the Authorization header Iterable sends, so that no one else can post events\n\n${usage}`,
    );
  }
  return authorization;
}
