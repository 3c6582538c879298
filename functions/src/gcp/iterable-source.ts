/**
 * The Iterable source of a deployed function. Only the worker and forget hold the key (from Secret Manager);
 * in the fan-out's instance the worker is registered but never served, so its source only has to
 * say clearly what is missing should it ever be called.
 */
import type { DimensionSource, ExportSource } from '../catalog.js';
import { ConfigError, type PipelineConfig } from '../config.js';
import { CampaignMetricsClient } from '../iterable/campaign-metrics.js';
import { IterableClient } from '../iterable/client.js';
import type { CampaignMetricsSource } from '../pipeline/campaign-metrics-refresh.js';
import type { ForgottenSource, IterableSource } from '../ports.js';

const missingKey = (): never => {
  throw new ConfigError(
    'ITERABLE_API_KEY is not set in this function; only the worker reads Iterable: run ' +
      '`pulumi config set --secret iterableApiKey <key>` and `pulumi up`',
  );
};

const NO_KEY: IterableSource = {
  exportLines: (_source: ExportSource) => missingKey(),
  dimensionLines: (_source: DimensionSource) => missingKey(),
};

const NO_KEY_LISTS: ForgottenSource = {
  forgottenEmailHashes: () => missingKey(),
  forgottenUserIdHashes: () => missingKey(),
};

export function iterableSource(config: PipelineConfig['iterable']): IterableSource & ForgottenSource {
  return config.apiKey === null
    ? { ...NO_KEY, ...NO_KEY_LISTS }
    : new IterableClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
}

/** Iterable's campaign totals, read by the worker for a campaign metrics task. */
export function campaignMetricsSource(config: PipelineConfig['iterable']): CampaignMetricsSource {
  return config.apiKey === null
    ? { metrics: () => missingKey() }
    : new CampaignMetricsClient({ baseUrl: config.baseUrl, apiKey: config.apiKey });
}
