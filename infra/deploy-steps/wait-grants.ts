/**
 * Waits until IAM grants are in effect for the service accounts that need them at deploy. A
 * grant is stored at once but takes effect later: "typically 2 minutes, potentially 7 minutes or
 * longer" (https://cloud.google.com/iam/docs/access-change-propagation). A gen2 function deploy
 * checks at once that its runtime account can read its secrets and builds as its build account,
 * so a first `pulumi up` that creates the functions right after the grants fails. This asks, as
 * each account (a short-lived token minted through the IAM Credentials API,
 * https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken),
 * the resource's `testIamPermissions`, and polls until every permission is granted, within a bound.
 */
import { googleJson, type Headers, type PollOptions, pollBound, pollUntil } from './poll.js';

export interface GrantCheck {
  /** The service account whose grants must be in effect. */
  readonly serviceAccount: string;
  /** The resource's `…:testIamPermissions` URL. */
  readonly url: string;
  readonly permissions: readonly string[];
}

export interface WaitForGrantsOptions {
  /** `https://iamcredentials.googleapis.com`, or a test server. */
  readonly iamCredentialsEndpoint: string;
  /** The deployer's own headers: it mints each account's token (roles/iam.serviceAccountTokenCreator). */
  readonly headers: Headers;
  readonly poll: PollOptions;
}

/** Google's "7 minutes or longer", with room: 10 s apart for 12 minutes. */
export const GRANT_POLL: PollOptions = { attempts: 72, intervalMs: 10_000 };

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export async function waitForGrants(
  checks: readonly GrantCheck[],
  options: WaitForGrantsOptions,
): Promise<void> {
  for (const check of checks) {
    let missing: readonly string[] = check.permissions;
    let lastAnswer = '';
    const done = await pollUntil(async () => {
      // The deployer's own token-creator grant propagates too, so a refusal here is waited out.
      const minted = await googleJson(
        `${options.iamCredentialsEndpoint}/v1/projects/-/serviceAccounts/${check.serviceAccount}:generateAccessToken`,
        options.headers,
        { scope: [SCOPE], lifetime: '300s' },
      );
      if (!minted.ok) {
        lastAnswer = `minting a token for it answered ${minted.status}: ${minted.text.slice(0, 200)}`;
        return undefined;
      }
      const token = String(minted.json.accessToken);
      const tested = await googleJson(check.url, async () => ({ Authorization: `Bearer ${token}` }), {
        permissions: check.permissions,
      });
      if (!tested.ok) {
        lastAnswer = `testIamPermissions answered ${tested.status}: ${tested.text.slice(0, 200)}`;
        return undefined;
      }
      const granted = new Set((tested.json.permissions as string[] | undefined) ?? []);
      missing = check.permissions.filter((p) => !granted.has(p));
      lastAnswer = `still missing ${missing.join(', ')}`;
      return missing.length === 0 ? true : undefined;
    }, options.poll);
    if (!done) {
      throw new Error(
        `${check.serviceAccount} still lacks ${missing.join(', ')} on ${check.url.replace(/:testIamPermissions$/, '')} ` +
          `after ${pollBound(options.poll)} (${lastAnswer}). IAM changes usually apply within 2 minutes and ` +
          'sometimes take 7 or more (https://cloud.google.com/iam/docs/access-change-propagation): run ' +
          '`pulumi up` again; if it keeps failing, check the grant exists in IAM & Admin.',
      );
    }
  }
}
