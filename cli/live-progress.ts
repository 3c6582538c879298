/**
 * Live progress on stderr while windows load: a line per stream redrawn in place on a terminal;
 * otherwise (CI logs, pipes, files) one line of totals every few seconds, so a long run shows that
 * it moves without filling the log.
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
      out.write(`${logLine(tally, Date.now() - startedAt)}\n`);
    }
  };

  const timer = setInterval(render, terminal ? TERMINAL_TICK_MS : LOG_TICK_MS);
  return () => {
    clearInterval(timer);
    if (terminal) render();
  };
}

/** `12s: 340/428 windows, 120,000 rows read, 2 failed`: the whole run on one line. */
function logLine(tally: RunTally, elapsedMs: number): string {
  const streams = tally.streams();
  const sum = (key: 'planned' | 'done' | 'failed' | 'rows') => streams.reduce((n, s) => n + s[key], 0);
  const failed = sum('failed') > 0 ? `, ${sum('failed')} failed` : '';
  return `${(elapsedMs / 1000).toFixed(0)}s: ${sum('done')}/${sum('planned')} windows, ${sum('rows').toLocaleString('en-US')} rows read${failed}`;
}
