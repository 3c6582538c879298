/**
 * One benchmark figure with the target, and the table the runner prints. A ratio is
 * value / target: for a floor (`at least`) above 1 is met, for a ceiling (`at most`) below 1 is.
 */
export interface Target {
  readonly bound: 'at least' | 'at most';
  readonly value: number;
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** `null` for context figures (ceilings, stage shares) that have no target of their own. */
  readonly target: Target | null;
}

export const figure = (name: string, value: number, unit: string, target: Target | null = null): Figure => ({
  name,
  value,
  unit,
  target,
});

export const atLeast = (value: number): Target => ({ bound: 'at least', value });
export const atMost = (value: number): Target => ({ bound: 'at most', value });

export function meets(f: Figure): boolean | null {
  if (f.target === null) return null;
  return f.target.bound === 'at least' ? f.value >= f.target.value : f.value <= f.target.value;
}

const number = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);

/** One line per figure: name, value, target, ratio and verdict, aligned for a terminal. */
export function formatFigures(figures: readonly Figure[]): string {
  const width = Math.max(...figures.map((f) => f.name.length));
  return figures
    .map((f) => {
      const value = `${number(f.value)} ${f.unit}`.padStart(22);
      if (f.target === null) return `  ${f.name.padEnd(width)}  ${value}`;
      const target = `${f.target.bound} ${number(f.target.value)} ${f.unit}`;
      const verdict = meets(f) ? 'met' : 'MISSED';
      return `  ${f.name.padEnd(width)}  ${value}   target ${target}, ratio ${(f.value / f.target.value).toFixed(2)}  ${verdict}`;
    })
    .join('\n');
}
