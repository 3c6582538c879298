/**
 * Live progress on stderr while windows load: redrawn in place on a terminal, a line every few
 * seconds otherwise (CI logs, pipes), so a long run always shows that it moves.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { FanoutResult } from '../functions/src/pipeline/fanout.js';
import type { StateStore } from '../functions/src/ports.js';
import { progressLine, streamProgress } from './report.js';

const TERMINAL_TICK_MS = 250;
const LOG_TICK_MS = 5000;

export function showProgress(plan: FanoutResult, state: StateStore, startedAt: number): () => Promise<void> {
  const out = process.stderr;
  const terminal = out.isTTY === true;
  let drawn = 0;
  let busy = false;

  const render = async () => {
    if (busy) return;
    busy = true;
    const lines: string[] = [];
    for (const s of plan.streams) {
      const progress = streamProgress(s.stream as StreamName, s.windows, await state.read(s.stream), startedAt);
      lines.push(progressLine(progress));
    }
    if (terminal) {
      if (drawn > 0) out.write(`\x1b[${drawn}A`);
      out.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    } else {
      const done = lines.filter((l) => !/ 0\/0 /.test(l));
      out.write(`${((Date.now() - startedAt) / 1000).toFixed(0)}s\n${done.join('\n')}\n`);
    }
    busy = false;
  };

  const timer = setInterval(() => void render(), terminal ? TERMINAL_TICK_MS : LOG_TICK_MS);
  return async () => {
    clearInterval(timer);
    if (terminal) await render();
  };
}
