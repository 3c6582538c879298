/**
 * CPU time and machine load for figures that must stay readable on a shared machine: a process's
 * CPU per request says what one core can serve however many other processes compete for it.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** CPU seconds (user + system) a process has used: fields 14 and 15 of /proc/<pid>/stat, in ticks of 10 ms. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The 1-minute load average: how many runnable processes shared the cores during a measure. */
export const loadAverage = (): number => loadavg()[0] ?? Number.NaN;
