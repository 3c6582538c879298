/** Health: each stream's watermark and its age, and the windows still pending or failed. */
import type { StreamName } from '../catalog.js';
import type { StateStore } from '../ports.js';

export async function streamHealth(state: StateStore, streams: readonly StreamName[], now: number) {
  return Promise.all(
    streams.map(async (stream) => {
      const { watermark, windows } = await state.read(stream);
      return {
        stream,
        watermark: watermark === null ? null : new Date(watermark).toISOString(),
        freshness_seconds: watermark === null ? null : Math.max(0, Math.floor((now - watermark) / 1000)),
        pending_windows: windows.filter((w) => w.status === 'pending' || w.status === 'running').length,
        failed_windows: windows.filter((w) => w.status === 'failed').length,
      };
    }),
  );
}
