/**
 * Live progress on stderr while windows load: redrawn in place on a terminal, a block every few
 * seconds otherwise (CI logs, pipes), so a long run always shows that it moves.
 */

import type { RunTally } from '../local/run-tally.js';
import { progressLine } from './report.js';

const TERMINAL_TICK_MS = 250;
const LOG_TICK_MS = 5000;

export function showProgress(tally: RunTally, startedAt: number): () => void {
  const out = process.stderr;
  const terminal = out.isTTY === true;
  let drawn = 0;

  const render = () => {
    const lines = tally
      .streams()
      .filter((s) => s.planned > 0)
      .map(progressLine);
    if (terminal) {
      if (drawn > 0) out.write(`\x1b[${drawn}A`);
      out.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    } else {
      out.write(`${((Date.now() - startedAt) / 1000).toFixed(0)}s\n${lines.join('\n')}\n`);
    }
  };

  const timer = setInterval(render, terminal ? TERMINAL_TICK_MS : LOG_TICK_MS);
  return () => {
    clearInterval(timer);
    if (terminal) render();
  };
}
