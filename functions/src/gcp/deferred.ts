/**
 * Adapters built on first use instead of at import. The Google client libraries take most of a
 * cold start to load (about 600 of 950 ms, bench/README.md), and each function needs only some of
 * them: the worker never enqueues, the fan-out never loads a window. An adapter whose build
 * failed is built again on the next call, so one bad start does not poison the instance.
 */
import type { LiveSink } from '../live/live-sink.js';
import type { LoadedCampaigns } from '../pipeline/campaign-metrics-plan.js';
import type { CampaignMetricsStore } from '../pipeline/campaign-metrics-refresh.js';
import type { StateStore, TaskQueue, UserEraser, Warehouse, WindowTask } from '../ports.js';

function onFirstUse<T>(build: () => Promise<T>): { get: () => Promise<T>; built: () => Promise<T> | null } {
  let built: Promise<T> | null = null;
  return {
    get() {
      built ??= build().catch((error: unknown) => {
        built = null;
        throw error;
      });
      return built;
    },
    built: () => built,
  };
}

export function deferredStateStore(build: () => Promise<StateStore>): StateStore {
  const store = onFirstUse(build);
  return {
    read: async (stream) => (await store.get()).read(stream),
    update: async (stream, change) => (await store.get()).update(stream, change),
    close: async () => (await store.built())?.close(),
  };
}

export function deferredTaskQueue<P = WindowTask>(build: () => Promise<TaskQueue<P>>): TaskQueue<P> {
  const queue = onFirstUse(build);
  return { enqueue: async (tasks) => (await queue.get()).enqueue(tasks) };
}

export function deferredWarehouse(build: () => Promise<Warehouse>): Warehouse {
  const warehouse = onFirstUse(build);
  return {
    replaceWindow: async (load, batches) => (await warehouse.get()).replaceWindow(load, batches),
    close: async () => (await warehouse.built())?.close(),
  };
}

export function deferredEraser(build: () => Promise<UserEraser>): UserEraser {
  const eraser = onFirstUse(build);
  return { forget: async (users, at) => (await eraser.get()).forget(users, at) };
}

export function deferredLiveSink(build: () => Promise<LiveSink>): LiveSink {
  const sink = onFirstUse(build);
  return {
    publish: async (event) => (await sink.get()).publish(event),
    reject: async (reject) => (await sink.get()).reject(reject),
  };
}

export function deferredCampaignMetrics(
  build: () => Promise<LoadedCampaigns & CampaignMetricsStore>,
): LoadedCampaigns & CampaignMetricsStore {
  const metrics = onFirstUse(build);
  return {
    campaigns: async (changedFrom, until) => (await metrics.get()).campaigns(changedFrom, until),
    replace: async (ids, rows, range, loadedAt) => (await metrics.get()).replace(ids, rows, range, loadedAt),
  };
}
