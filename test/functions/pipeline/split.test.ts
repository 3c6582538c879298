import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_PIECE_MS, piecesOf } from '../../../functions/src/pipeline/split.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 1);
const span = (pieces: { start: number; end: number }[]) =>
  pieces.map((p) => [(p.start - T0) / H, (p.end - T0) / H]);

describe('splitting a window that keeps getting cut off', () => {
  const cases: [string, number, number[][]][] = [
    ['never cut: whole', 0, [[0, 6]]],
    ['cut once: retried whole', 1, [[0, 6]]],
    [
      'cut twice: halves',
      2,
      [
        [0, 3],
        [3, 6],
      ],
    ],
    [
      'cut three times: quarters',
      3,
      [
        [0, 1.5],
        [1.5, 3],
        [3, 4.5],
        [4.5, 6],
      ],
    ],
  ];
  for (const [name, cuts, expected] of cases) {
    it(name, () => assert.deepEqual(span(piecesOf({ start: T0, end: T0 + 6 * H }, cuts)), expected));
  }

  it('stops at the floor, cuts boundaries on whole seconds, and always covers the window exactly', () => {
    const window = { start: T0, end: T0 + 5 * MIN_PIECE_MS + 7_000 };
    const pieces = piecesOf(window, 40);
    assert.ok(pieces.every((p) => p.end - p.start >= MIN_PIECE_MS));
    assert.ok(pieces.every((p) => p.start % 1000 === 0 && p.end % 1000 === 0));
    assert.equal(pieces[0]?.start, window.start);
    assert.equal(pieces.at(-1)?.end, window.end);
    for (let i = 1; i < pieces.length; i++) assert.equal(pieces[i]?.start, pieces[i - 1]?.end);
  });
});
