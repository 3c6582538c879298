/**
 * The loop every retry here shares: run, and on an error ask the policy how long to wait before
 * the next attempt (`null`: give up and throw it). The policies say what is worth retrying.
 */
export type RetryPolicy = (error: unknown, attempt: number) => number | null;

export async function retrying<T>(
  run: (attempt: number) => Promise<T>,
  delayAfter: RetryPolicy,
  sleep: (ms: number) => Promise<unknown>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      const delayMs = delayAfter(error, attempt);
      if (delayMs === null) throw error;
      await sleep(delayMs);
    }
  }
}
