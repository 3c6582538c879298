/**
 * `npm run simulator`: the Iterable simulator as a standalone server, for pointing `npm start`
 * (or any other Iterable client) at a known data set:
 *   npm run simulator -- --port 8080 --days 7 --events 100000
 *   ITERABLE_BASE_URL=http://127.0.0.1:8080 ITERABLE_API_KEY=simulator-key npm start -- --from …
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './server.js';

const DAY = 24 * 3600_000;

const USAGE = `Usage: npm run simulator -- [--port 8080] [--days 7] [--events 100000] [--seed 1]
                              [--key simulator-key] [--exports-per-minute 4]

Serves a seeded Iterable project on 127.0.0.1 whose history ends at the end of today (UTC).`;

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number, got ${JSON.stringify(text)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    days: { type: 'string', default: '7' },
    events: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    key: { type: 'string', default: 'simulator-key' },
    'exports-per-minute': { type: 'string', default: '4' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const to = (Math.floor(Date.now() / DAY) + 1) * DAY;
const days = positive('days', values.days);
const simulator = await startSimulator({
  seed: positive('seed', values.seed),
  from: to - days * DAY,
  to,
  events: positive('events', values.events),
  apiKey: values.key,
  exportsPerMinute: positive('exports-per-minute', values['exports-per-minute']),
  port: positive('port', values.port),
});
process.stdout.write(
  `Iterable simulator at ${simulator.url} (key "${values.key}", ${days} days up to ${new Date(to).toISOString()})\n` +
    `Try: ITERABLE_BASE_URL=${simulator.url} ITERABLE_API_KEY=${values.key} ` +
    `ITERABLE_EXPORTS_PER_MINUTE=${values['exports-per-minute']} npm start\n`,
);
const stop = () => void simulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
