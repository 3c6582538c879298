/**
 * The Firestore database of watermarks and the window ledger (one document per stream).
 *
 * A stream's document holds its whole ledger in the `windows` array: thousands of maps in a
 * backfill. Firestore indexes every field of every element by default, and a document may have
 * at most 40,000 index entries (https://cloud.google.com/firestore/quotas#indexes), which a
 * ledger of ~3,000 windows of 15 fields exceeds, failing every write of that stream. Nothing
 * queries inside the ledger (stores read a document by its id), so the field is exempt from
 * indexing: an empty index configuration disables all its indexes
 * (`google_firestore_field`, `index_config {}`; https://cloud.google.com/firestore/docs/query-data/indexing#exemptions).
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface StateDatabaseArgs {
  readonly project: string;
  readonly databaseId: string;
  readonly location: string;
  readonly deletionProtection: boolean;
  /** The collection of the per-stream state documents. */
  readonly stateCollection: string;
}

export class StateDatabase extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: StateDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:StateDatabase', name, {}, opts);
    const database = new gcp.firestore.Database(
      `${name}-database`,
      {
        project: args.project,
        name: args.databaseId,
        locationId: args.location,
        // Native mode: the state store uses Firestore transactions.
        type: 'FIRESTORE_NATIVE',
        deleteProtectionState: args.deletionProtection
          ? 'DELETE_PROTECTION_ENABLED'
          : 'DELETE_PROTECTION_DISABLED',
        deletionPolicy: args.deletionProtection ? 'PREVENT' : 'DELETE',
      },
      { parent: this },
    );
    new gcp.firestore.Field(
      `${name}-ledger-unindexed`,
      {
        project: args.project,
        database: database.name,
        collection: args.stateCollection,
        field: 'windows',
        indexConfig: {},
      },
      { parent: this },
    );
    this.name = database.name;
    this.registerOutputs({ name: this.name });
  }
}
