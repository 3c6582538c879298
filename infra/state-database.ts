/** The Firestore database of watermarks and the window ledger (one document per stream). */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';

export interface StateDatabaseArgs {
  readonly project: string;
  readonly databaseId: string;
  readonly location: string;
  readonly deletionProtection: boolean;
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
    this.name = database.name;
    this.registerOutputs({ name: this.name });
  }
}
