/**
 * The two dataset names every SQL file is written against (`iterable_raw`, `iterable_analytics`),
 * which a deployment or a local warehouse may rename. They are substituted into SQL text, so they
 * must be plain identifiers.
 */
export interface Datasets {
  readonly raw: string;
  readonly analytics: string;
}

export const DEFAULT_DATASETS: Datasets = { raw: 'iterable_raw', analytics: 'iterable_analytics' };

export function checkDatasets(datasets: Datasets): Datasets {
  for (const name of [datasets.raw, datasets.analytics]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new Error(
        `dataset name ${JSON.stringify(name)} is not a plain identifier; use letters, digits and _`,
      );
    }
  }
  return datasets;
}
