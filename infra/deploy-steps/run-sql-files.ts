/**
 * Runs the `sql/` files once at deploy, in file order, each as one BigQuery query job that must
 * finish (`DONE`, no `errorResult`) before the next starts: later files read the views and tables
 * of earlier ones. A failed file stops the run with its name and BigQuery's message.
 *
 * Why not `gcp.bigquery.Job`: the provider's create only polls until the job exists
 * (hashicorp/terraform-provider-google, `resource_bigquery_job.go`: `resourceBigQueryJobCreate`
 * ends with `resourceBigQueryJobRead`, and its poll waits for the job resource, not its state), so
 * every file ran at once, out of order, and a failing script still reported success. A fixed job id
 * also collides with the old job in history after a destroy and re-create (`409 Already Exists`),
 * so each run's job ids end with a random suffix: the client's `jobPrefix` adds one
 * (https://cloud.google.com/bigquery/docs/running-jobs#generate-jobid).
 */
import type { BigQuery } from '@google-cloud/bigquery';

export interface SqlFile {
  /** The file name without `.sql`, part of the job id. */
  readonly key: string;
  readonly sql: string;
}

export interface RunSqlFilesOptions {
  readonly location: string;
  /** Job ids start with this; letters, digits, `_` and `-` (https://cloud.google.com/bigquery/docs/running-jobs#generate-jobid). */
  readonly jobPrefix: string;
}

/** A file that failed, named, with BigQuery's own message, so `pulumi up` shows what to fix. */
export class SqlFileError extends Error {
  constructor(
    readonly key: string,
    readonly jobId: string,
    message: string,
  ) {
    super(
      `sql/${key}.sql failed at deploy (BigQuery job ${jobId}): ${message}. ` +
        'Fix the file (or the grants it needs) and run `pulumi up` again; files before it already ran.',
    );
    this.name = 'SqlFileError';
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs every file in order; returns the job id of each, by file key. */
export async function runSqlFiles(
  bigquery: BigQuery,
  files: readonly SqlFile[],
  options: RunSqlFilesOptions,
): Promise<Record<string, string>> {
  const jobs: Record<string, string> = {};
  for (const file of files) {
    let jobId = `${options.jobPrefix}${file.key}_`;
    try {
      // Scripts with DDL refuse a write or create disposition, and the client sends none unless asked.
      const [job] = await bigquery.createQueryJob({
        query: file.sql,
        location: options.location,
        jobPrefix: `${options.jobPrefix}${file.key}_`,
      });
      jobId = job.id ?? jobId;
      // Polls jobs.get until status.state is DONE and rejects with status.errorResult if set.
      await job.promise();
    } catch (error) {
      throw new SqlFileError(file.key, jobId, messageOf(error));
    }
    jobs[file.key] = jobId;
  }
  return jobs;
}
