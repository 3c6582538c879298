/** The Cloud Tasks queue; imported on first use (`deferred.ts`), so loading Cloud Tasks waits until then. */
import { CloudTasksClient } from '@google-cloud/tasks';
import type { TaskQueue } from '../ports.js';
import { CloudTasksQueue } from './cloud-tasks-queue.js';
import type { GcpConfig } from './gcp-config.js';

export const openTaskQueue = (config: GcpConfig): TaskQueue =>
  new CloudTasksQueue(new CloudTasksClient(), config.tasks);
