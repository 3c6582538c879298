// @ts-check
/** How the page writes numbers: counts with separators, rates as percentages, money with cents. */

/** @param {number | null | undefined} n */
export const count = (n) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

/** @param {number | null | undefined} rate a share in [0, 1]; null when its denominator was zero */
export const percent = (rate) =>
  rate === null || rate === undefined || !Number.isFinite(rate) ? '–' : `${(rate * 100).toFixed(1)}%`;

/** @param {number | null | undefined} n */
export const money = (n) =>
  n === null || n === undefined
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * The rate the fact tables would give: a ratio of sums, null when nothing is in the denominator.
 * @param {number} numerator
 * @param {number} denominator
 */
export const ratio = (numerator, denominator) => (denominator > 0 ? numerator / denominator : null);

/** @param {number | null} ms */
export const instant = (ms) => (ms === null ? '–' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
