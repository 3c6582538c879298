/**
 * A deploy step that exists once the given grants are in effect (wait-grants.ts): the functions
 * depend on it, so their first build runs only when their accounts can build and read secrets.
 */
import * as pulumi from '@pulumi/pulumi';
import { deployerHeaders } from './deployer-headers.js';
import { GRANT_POLL, type GrantCheck, waitForGrants } from './wait-grants.js';

interface GrantsReadyInputs {
  readonly checks: readonly GrantCheck[];
}

async function waitFor(inputs: GrantsReadyInputs): Promise<void> {
  await waitForGrants(inputs.checks, {
    iamCredentialsEndpoint: 'https://iamcredentials.googleapis.com',
    headers: await deployerHeaders(),
    poll: GRANT_POLL,
  });
}

const provider: pulumi.dynamic.ResourceProvider<GrantsReadyInputs> = {
  async create(inputs) {
    await waitFor(inputs);
    return { id: inputs.checks.map((c) => `${c.serviceAccount} ${c.url}`).join(','), outs: inputs };
  },
  async update(_id, _olds, news) {
    await waitFor(news);
    return { outs: news };
  },
  async delete() {},
};

export interface GrantsReadyArgs {
  readonly checks: pulumi.Input<readonly pulumi.Input<GrantCheck>[]>;
}

export class GrantsReady extends pulumi.dynamic.Resource {
  constructor(name: string, args: GrantsReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { checks: args.checks }, opts, 'iterable', 'GrantsReady');
  }
}
