/**
 * A deploy step that exists once Cloud Monitoring lists every given log-based metric
 * (wait-metric-descriptors.ts): alert policies on those metrics depend on it, so a first
 * `pulumi up` creates them only when they can be created.
 */
import * as pulumi from '@pulumi/pulumi';
import { deployerHeaders } from './deployer-headers.js';
import { METRIC_DESCRIPTOR_POLL, waitForMetricDescriptors } from './wait-metric-descriptors.js';

interface MetricsReadyInputs {
  readonly project: string;
  readonly metricTypes: readonly string[];
}

async function waitFor(inputs: MetricsReadyInputs): Promise<void> {
  await waitForMetricDescriptors({
    endpoint: 'https://monitoring.googleapis.com',
    project: inputs.project,
    metricTypes: inputs.metricTypes,
    headers: await deployerHeaders(),
    poll: METRIC_DESCRIPTOR_POLL,
  });
}

const provider: pulumi.dynamic.ResourceProvider<MetricsReadyInputs> = {
  async create(inputs) {
    await waitFor(inputs);
    return { id: `${inputs.project}/${inputs.metricTypes.join(',')}`, outs: inputs };
  },
  async update(_id, _olds, news) {
    await waitFor(news);
    return { outs: news };
  },
  async delete() {},
};

export interface MetricsReadyArgs {
  readonly project: string;
  /** Log-based metric names; their types are `logging.googleapis.com/user/<name>`. */
  readonly metrics: readonly pulumi.Input<string>[];
}

export class MetricsReady extends pulumi.dynamic.Resource {
  constructor(name: string, args: MetricsReadyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        project: args.project,
        metricTypes: pulumi
          .all([...args.metrics])
          .apply((names) => names.map((metric) => `logging.googleapis.com/user/${metric}`)),
      },
      opts,
      'iterable',
      'MetricsReady',
    );
  }
}
