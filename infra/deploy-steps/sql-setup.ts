/**
 * The deploy step that runs the `sql/` files in order (run-sql-files.ts), as a Pulumi dynamic
 * resource: created on the first `pulumi up`, run again whenever any file's SQL changes (its
 * inputs carry the SQL and a hash of all of it), never on an unchanged `up`. A failed file fails
 * `pulumi up` with the file's name and BigQuery's message; the next `up` tries again.
 * https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { withColumnChecks } from './column-checks.js';
import { runSqlFiles, type SqlFile } from './run-sql-files.js';

export interface SqlSetupInputs {
  readonly project: string;
  readonly location: string;
  readonly jobPrefix: string;
  readonly files: readonly SqlFile[];
  /** SHA-256 of every file's key and SQL, in order: the step's identity. */
  readonly hash: string;
}

/** Runs in the Pulumi engine's dynamic-provider process, with the deployer's credentials. */
async function run(inputs: SqlSetupInputs): Promise<Record<string, string>> {
  const { BigQuery } = await import('@google-cloud/bigquery');
  return runSqlFiles(new BigQuery({ projectId: inputs.project }), inputs.files, {
    location: inputs.location,
    jobPrefix: inputs.jobPrefix,
  });
}

const provider: pulumi.dynamic.ResourceProvider<SqlSetupInputs> = {
  async create(inputs) {
    const jobs = await run(inputs);
    return { id: `${inputs.project}/${inputs.hash}`, outs: { ...inputs, jobs } };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, jobs: await run(news) } };
  },
  // Tables and views belong to their datasets, which Pulumi manages; there is nothing to undo.
  async delete() {},
};

export const sqlFilesHash = (files: readonly SqlFile[]): string => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file.key}\n${file.sql}\n`);
  return hash.digest('hex');
};

export interface SqlSetupArgs {
  readonly project: string;
  readonly location: string;
  readonly jobPrefix: string;
  readonly files: readonly SqlFile[];
}

export class SqlSetup extends pulumi.dynamic.Resource {
  /** The BigQuery job id of each file's run, by file key. */
  declare readonly jobs: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: SqlSetupArgs, opts?: pulumi.CustomResourceOptions) {
    const files = withColumnChecks(args.files).map(({ key, sql }) => ({ key, sql }));
    super(
      provider,
      name,
      { ...args, files, hash: sqlFilesHash(files), jobs: undefined },
      opts,
      'iterable',
      'SqlSetup',
    );
  }
}
