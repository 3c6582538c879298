import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advance, applyComplete, applyPlan } from '../../../functions/src/pipeline/ledger.js';
import { planSettleWindow } from '../../../functions/src/pipeline/settle.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 10);
const at = (hours: number) => T0 + hours * H;
const span = (w: { start: number; end: number; kind: string }) =>
  `${w.kind} ${(w.start - T0) / H}-${(w.end - T0) / H}`;

describe('planSettleWindow', () => {
  const cases = [
    {
      name: 'the latest UTC day that ended SETTLE_HOURS ago',
      input: { now: at(30), settleMs: 24 * H, watermark: at(29), from: at(-72) },
      want: ['settle -24-0'],
    },
    {
      name: 'a day not yet settled waits: the day before it is the latest settled',
      input: { now: at(47), settleMs: 24 * H, watermark: at(46), from: at(-72) },
      want: ['settle -24-0'],
    },
    {
      name: 'the day after, once settled',
      input: { now: at(48), settleMs: 24 * H, watermark: at(47), from: at(-72) },
      want: ['settle 0-24'],
    },
    {
      name: 'a day the watermark has not passed is not settled (not loaded yet)',
      input: { now: at(60), settleMs: 24 * H, watermark: at(20), from: at(-72) },
      want: ['settle -24-0'],
    },
    {
      name: 'never before history starts',
      input: { now: at(30), settleMs: 24 * H, watermark: at(29), from: at(-6) },
      want: ['settle -6-0'],
    },
    {
      name: 'nothing when history starts after the settled day',
      input: { now: at(30), settleMs: 24 * H, watermark: at(29), from: at(1) },
      want: [],
    },
    {
      name: 'a shorter SETTLE_HOURS settles sooner',
      input: { now: at(7), settleMs: 6 * H, watermark: at(6), from: at(-72) },
      want: ['settle -24-0'],
    },
    {
      name: 'SETTLE_HOURS=0 turns it off',
      input: { now: at(30), settleMs: 0, watermark: at(29), from: at(-72) },
      want: [],
    },
  ];
  for (const { name, input, want } of cases) {
    it(name, () => assert.deepEqual(planSettleWindow(input).map(span), want));
  }

  it('is planned once a day, and a done settle window never moves the watermark', () => {
    const [settle] = planSettleWindow({ now: at(30), settleMs: 24 * H, watermark: at(29), from: at(-72) });
    assert.ok(settle);
    const state = { watermark: at(-30), windows: [] };
    const planned = applyPlan(state, 'email_send', [settle], at(-72), at(30), H);
    assert.equal(planned.result.length, 1);
    const done = applyComplete(planned.state, 'email_send', settle, { rows: 5, rejects: 0 }, 1, at(31));
    assert.equal(done.state.watermark, at(-30));
    assert.equal(advance(at(-30), done.state.windows), at(-30));
    const again = applyPlan(done.state, 'email_send', [settle], at(-72), at(35), H);
    assert.deepEqual(again.result, []);
  });
});
