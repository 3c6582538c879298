/**
 * A bounded poll for deploy steps that wait on Google's eventual consistency: `attempts` tries,
 * `intervalMs` apart, so the longest wait is known up front and stated in the error.
 */
export interface PollOptions {
  readonly attempts: number;
  readonly intervalMs: number;
}

/** Calls `attempt` until it returns a value, or gives up with `undefined` after the last try. */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T | undefined> {
  for (let n = 1; n <= options.attempts; n++) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (n < options.attempts) await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return undefined;
}

/** The longest a poll can wait, in words, for error messages. */
export const pollBound = (options: PollOptions): string =>
  `${Math.round((options.attempts * options.intervalMs) / 1000)} s`;

/** Headers a deploy step sends: the deployer's own credentials (application default). */
export type Headers = () => Promise<Record<string, string>>;

/** A Google REST call's JSON answer, or its status and text when it is not a 2xx. */
export async function googleJson(
  url: string,
  headers: Headers,
  body?: unknown,
): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; status: number; text: string }> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(await headers()), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) return { ok: false, status: response.status, text: await response.text() };
  return { ok: true, json: (await response.json()) as Record<string, unknown> };
}
