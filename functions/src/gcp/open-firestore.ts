/** The Firestore state store; imported on first use (`deferred.ts`), so loading Firestore waits until then. */
import { Firestore } from '@google-cloud/firestore';
import type { StateStore } from '../ports.js';
import { FirestoreStateStore } from './firestore-state-store.js';
import type { GcpConfig } from './gcp-config.js';

export const openStateStore = (config: GcpConfig): StateStore =>
  new FirestoreStateStore(
    new Firestore({ projectId: config.projectId, databaseId: config.firestoreDatabase }),
    config.stateCollection,
  );
