/**
 * Posts a message to a Slack-compatible incoming webhook: `POST {"text": …}` as JSON, answered
 * with 200 (https://api.slack.com/messaging/webhooks). Mattermost, Google Chat and Teams workflows
 * accept the same body. The URL is a secret (it lets anyone post), so errors never show it.
 */
import type { ChatPoster } from './notify.js';

const TIMEOUT_MS = 10_000;

export class SlackWebhook implements ChatPoster {
  readonly #url: string;

  constructor(url: string) {
    if (!/^https?:\/\//.test(url)) {
      throw new Error(
        'the chat webhook URL must start with https:// (set the anomaly-webhook secret to the incoming-webhook URL)',
      );
    }
    this.#url = url;
  }

  async post(text: string): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200);
      throw new Error(`the chat webhook answered ${response.status}: ${body}`);
    }
  }
}
