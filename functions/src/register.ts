/**
 * Registers the HTTP functions with the Functions Framework over whichever adapters the
 * runtime provides: GCP ones when deployed (`index.ts`), local ones under `npm start`.
 */
import { http } from '@google-cloud/functions-framework';
import { fanoutHandler } from './handlers/fanout.js';
import { forgetHandler } from './handlers/forget.js';
import { workerHandler } from './handlers/worker.js';
import type { FanoutDeps, FanoutSettings } from './pipeline/fanout.js';
import type { ForgetDeps } from './pipeline/forget.js';
import type { LoadDeps, LoadSettings } from './pipeline/load-window.js';

export const FUNCTION_NAMES = { fanout: 'fanout', worker: 'worker', forget: 'forget' } as const;

export function registerWorker(deps: LoadDeps, settings: Omit<LoadSettings, 'runId'>): void {
  http(FUNCTION_NAMES.worker, workerHandler(deps, settings));
}

export function registerFanout(deps: FanoutDeps, settings: FanoutSettings): void {
  http(FUNCTION_NAMES.fanout, fanoutHandler(deps, settings));
}

export function registerForget(deps: ForgetDeps): void {
  http(FUNCTION_NAMES.forget, forgetHandler(deps));
}
