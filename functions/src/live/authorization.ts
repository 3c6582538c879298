/**
 * The collector's only lock: Iterable cannot send an OIDC token, so the function is public and
 * every request must carry the configured `Authorization` header, as is ("Basic" auth sends the
 * token itself, "OAuth2" sends `OAuth2 <token>`; support.iterable.com, "System Webhooks").
 * Both sides are hashed first so the comparison takes the same time whatever the header's length
 * or content (`timingSafeEqual` needs equal lengths, and a length check alone would leak it).
 */
import { hash, timingSafeEqual } from 'node:crypto';

/** One-shot `hash` (Node 20.12+): the check runs on every request, and a `createHash` object costs more. */
const digest = (text: string): Buffer => hash('sha256', text, 'buffer');

export function authorizationCheck(expected: string): (header: string | undefined) => boolean {
  if (expected.length === 0) throw new Error('the webhook authorization secret is empty');
  const want = digest(expected);
  return (header) => header !== undefined && timingSafeEqual(digest(header), want);
}
