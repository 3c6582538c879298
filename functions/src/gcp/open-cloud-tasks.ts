/** The Cloud Tasks queue; imported on first use (`deferred.ts`), so loading Cloud Tasks waits until then. */
import { CloudTasksClient } from '@google-cloud/tasks';
import { CAMPAIGN_METRICS_PATH, type CampaignMetricsTask } from '../pipeline/campaign-metrics-task.js';
import type { TaskQueue } from '../ports.js';
import { CloudTasksQueue } from './cloud-tasks-queue.js';
import type { GcpConfig } from './gcp-config.js';

export const openTaskQueue = (config: GcpConfig): TaskQueue =>
  new CloudTasksQueue(new CloudTasksClient(), config.tasks);

/** The campaign metrics queue: same worker and invoker, its own queue and path. */
export function openCampaignMetricsQueue(
  config: GcpConfig,
  queuePath: string,
): TaskQueue<CampaignMetricsTask> {
  return new CloudTasksQueue<CampaignMetricsTask>(new CloudTasksClient(), {
    ...config.tasks,
    queuePath,
    path: CAMPAIGN_METRICS_PATH,
  });
}
