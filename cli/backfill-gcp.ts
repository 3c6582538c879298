/**
 * A backfill of the deployed pipeline: this machine plans it into the Firestore ledger and
 * enqueues one Cloud Task per window, exactly as the fan-out function would for a backfill
 * request, on the window queue or, for windows read by export jobs, the export jobs queue; the
 * deployed workers load them at each queue's rate (Iterable's limits). The
 * operator's account needs Firestore User and Cloud Tasks Enqueuer, plus permission to act as the
 * task invoker service account (Service Account User) for the tasks' OIDC tokens.
 */

import type { Firestore } from '@google-cloud/firestore';
import type { CloudTasksClient } from '@google-cloud/tasks';
import type { StreamName } from '../functions/src/catalog.js';
import { FirestoreStateStore } from '../functions/src/gcp/firestore-state-store.js';
import { fanoutSettings, type GcpConfig } from '../functions/src/gcp/gcp-config.js';
import { windowTaskQueue } from '../functions/src/gcp/open-cloud-tasks.js';
import { type FanoutResult, fanOut } from '../functions/src/pipeline/fanout.js';

export interface GcpBackfill {
  readonly from: number;
  readonly to: number | null;
  readonly streams: readonly StreamName[];
  /** Read windows the ledger has as loaded again too. */
  readonly reread?: boolean;
}

/** The plan, and how many of its windows went to the export jobs queue. */
export interface GcpBackfillPlan extends FanoutResult {
  readonly jobs: number;
}

export async function enqueueBackfill(
  clients: { readonly firestore: Firestore; readonly tasks: CloudTasksClient },
  config: GcpConfig,
  backfill: GcpBackfill,
  now: () => number = Date.now,
): Promise<GcpBackfillPlan> {
  const queue = windowTaskQueue(clients.tasks, config, now);
  const plan = await fanOut(
    {
      state: new FirestoreStateStore(clients.firestore, config.stateCollection),
      queue,
      now,
      // The command prints the plan itself; the functions' DEBUG lines per window would drown it.
      log: () => {},
    },
    fanoutSettings(config),
    {
      from: backfill.from,
      ...(backfill.to === null ? {} : { to: backfill.to }),
      streams: backfill.streams,
      backfill: true,
      ...(backfill.reread ? { reread: true } : {}),
    },
  );
  return { ...plan, jobs: queue.jobTasks };
}
