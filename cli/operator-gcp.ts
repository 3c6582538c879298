/**
 * The deployed pipeline as `npm run status -- --gcp` and `npm run backfill -- --gcp` reach it from
 * an operator's machine: the same environment variables the deployed functions read
 * (functions/src/gcp/gcp-config.ts), and clients on the operator's application default
 * credentials (`gcloud auth application-default login`).
 */
import { BigQuery } from '@google-cloud/bigquery';
import { Firestore } from '@google-cloud/firestore';
import { ConfigError } from '../functions/src/config.js';
import { type GcpConfig, loadGcpConfig } from '../functions/src/gcp/gcp-config.js';
import { FUNCTION_NAMES } from '../functions/src/register.js';

const HOW_TO =
  'with --gcp, set the variables the deployed fan-out function has; list them with ' +
  "`gcloud functions describe <namePrefix>-fanout --region <region> --format='yaml(serviceConfig.environmentVariables)'` " +
  '(WORKER_URL is `pulumi stack output workerUrl`)';

/**
 * The fan-out's configuration. `enqueues` asks for what enqueueing needs on top (the worker's
 * URL), as the fan-out function itself does.
 */
export function loadOperatorGcpConfig(env: NodeJS.ProcessEnv, options: { enqueues: boolean }): GcpConfig {
  try {
    return loadGcpConfig(options.enqueues ? { ...env, FUNCTION_TARGET: FUNCTION_NAMES.fanout } : env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${error.message}\n${HOW_TO}`);
    throw error;
  }
}

export interface GcpClients {
  readonly firestore: Firestore;
  readonly bigquery: BigQuery;
  close(): Promise<void>;
}

export function gcpClients(config: GcpConfig): GcpClients {
  const firestore = new Firestore({ projectId: config.projectId, databaseId: config.firestoreDatabase });
  const bigquery = new BigQuery({ projectId: config.projectId, location: config.bigqueryLocation });
  return { firestore, bigquery, close: () => firestore.terminate() };
}
