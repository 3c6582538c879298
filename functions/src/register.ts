/**
 * Registers the HTTP functions with the Functions Framework over whichever adapters the
 * runtime provides: GCP ones when deployed (`index.ts`), local ones under `npm start`.
 */
import { http } from '@google-cloud/functions-framework';
import type { NotifyDeps, NotifySettings } from './anomalies/notify.js';
import { type ApiDeps, type ApiSettings, apiHandler } from './api/handler.js';
import { collectorHandler } from './handlers/collector.js';
import { fanoutHandler } from './handlers/fanout.js';
import { forgetHandler } from './handlers/forget.js';
import { notifierHandler } from './handlers/notifier.js';
import { workerHandler } from './handlers/worker.js';
import type { CollectDeps } from './live/collect.js';
import type { FanoutDeps, FanoutSettings } from './pipeline/fanout.js';
import type { ForgetDeps } from './pipeline/forget.js';
import type { LoadDeps, LoadSettings } from './pipeline/load-window.js';

export const FUNCTION_NAMES = {
  fanout: 'fanout',
  worker: 'worker',
  collector: 'collector',
  api: 'api',
  notifier: 'notifier',
  forget: 'forget',
} as const;

export function registerWorker(deps: LoadDeps, settings: Omit<LoadSettings, 'runId'>): void {
  http(FUNCTION_NAMES.worker, workerHandler(deps, settings));
}

export function registerFanout(deps: FanoutDeps, settings: FanoutSettings): void {
  http(FUNCTION_NAMES.fanout, fanoutHandler(deps, settings));
}

export function registerCollector(deps: CollectDeps): void {
  http(FUNCTION_NAMES.collector, collectorHandler(deps));
}

export function registerApi(deps: ApiDeps, settings: ApiSettings): void {
  http(FUNCTION_NAMES.api, apiHandler(deps, settings));
}

export function registerNotifier(deps: NotifyDeps, settings: NotifySettings): void {
  http(FUNCTION_NAMES.notifier, notifierHandler(deps, settings));
}

export function registerForget(deps: ForgetDeps): void {
  http(FUNCTION_NAMES.forget, forgetHandler(deps));
}
