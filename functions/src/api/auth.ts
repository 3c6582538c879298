/**
 * Who may call. By default the deployed function sits behind Cloud Run's IAM check (an OIDC or
 * ID token of a member holding roles/run.invoker, checked before the request reaches the code:
 * https://cloud.google.com/run/docs/authenticating/service-to-service), so the handler checks
 * nothing more. With API keys configured, every request must also carry one in `X-API-Key`.
 * Keys are kept only as SHA-256 hashes, revoked by removing the hash, and never logged: the
 * header is read here and nowhere else.
 */
import { createHash } from 'node:crypto';
import { ApiProblem } from './problem.js';

export const API_KEY_HEADER = 'x-api-key';

export type ApiAuth =
  | { readonly kind: 'iam' }
  | { readonly kind: 'api-key'; readonly sha256: ReadonlySet<string> };

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * Throws 401 without a key and 403 with an unknown or revoked one. Comparing hashes leaks nothing
 * a timing attack could use: the set holds digests, and the caller controls only the preimage.
 */
export function authenticate(auth: ApiAuth, header: string | string[] | undefined): void {
  if (auth.kind === 'iam') return;
  if (header === undefined || header === '') {
    throw new ApiProblem('missing-credentials', `send an API key in the X-API-Key header`);
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (Array.isArray(header) || key === undefined || !auth.sha256.has(hashApiKey(key))) {
    throw new ApiProblem('forbidden', 'the API key is unknown or revoked; ask the API owner for a key');
  }
}
