/**
 * The BigQuery fact reader, built on the API's first request: the fan-out and worker instances
 * import the same entry point and never load it (see `deferred.ts` for why that matters).
 */
import type { FactReader } from '../api/fact-reader.js';

export function deferredFactReader(projectId: string, location: string): FactReader {
  let reader: Promise<FactReader> | null = null;
  return {
    async read(statement) {
      reader ??= Promise.all([import('@google-cloud/bigquery'), import('./bigquery-fact-reader.js')])
        .then(
          ([{ BigQuery }, { BigQueryFactReader }]) =>
            new BigQueryFactReader(new BigQuery({ projectId }), location),
        )
        .catch((error: unknown) => {
          // A failed build is retried on the next request, so one bad start does not poison the instance.
          reader = null;
          throw error;
        });
      return (await reader).read(statement);
    },
  };
}
