/**
 * The deployer's credentials (application default: `gcloud auth application-default login` or
 * the CI's workload identity), for deploy steps that call Google APIs from `pulumi up` itself.
 * Imported when the step runs, inside Pulumi's dynamic-provider process.
 */
import type { Headers } from './poll.js';

export async function deployerHeaders(): Promise<Headers> {
  const { GoogleAuth } = await import('google-auth-library');
  const auth = new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/cloud-platform' });
  return async () => Object.fromEntries((await auth.getRequestHeaders()).entries());
}
