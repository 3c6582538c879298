/**
 * `npm run simulator`: the Iterable simulator as a standalone server, for pointing `npm start`
 * (or any other Iterable client) at a known data set:
 *   npm run simulator -- --port 8080 --days 7 --events 100000
 *   ITERABLE_BASE_URL=http://127.0.0.1:8080 ITERABLE_API_KEY=simulator-key npm start -- --from …
 */
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import { DAY } from '../functions/src/time.js';
import { startSimulator } from '../simulator/server.js';
import { pushWebhooks } from '../simulator/webhooks.js';
import { parseFlags, wholeNumber } from './flags.js';
import { runCommand } from './operator-options.js';

const USAGE = `Usage: npm run simulator -- [--port 8080] [--days 7] [--events 100000] [--seed 1]
                              [--key simulator-key] [--exports-per-minute 4]
                              [--push-webhooks <collector URL> [--webhooks-per-second 200]]

Serves a seeded Iterable project on 127.0.0.1 whose history ends at the end of today (UTC).
--push-webhooks also sends the same events as Iterable system webhooks to a collector (npm run live),
with WEBHOOK_AUTHORIZATION as the Authorization header; 1% are lost and 2% sent twice, as
Iterable does not guarantee delivery.`;

async function main(): Promise<number> {
  const values = parseFlags(
    process.argv.slice(2),
    {
      port: { type: 'string', default: '8080' },
      days: { type: 'string', default: '7' },
      events: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '1' },
      key: { type: 'string', default: 'simulator-key' },
      'exports-per-minute': { type: 'string', default: String(ITERABLE_EXPORTS_PER_MINUTE) },
      'push-webhooks': { type: 'string' },
      'webhooks-per-second': { type: 'string', default: '200' },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const to = (Math.floor(Date.now() / DAY) + 1) * DAY;
  const days = wholeNumber('days', String(values.days), 1);
  const from = to - days * DAY;
  const key = String(values.key);
  const perMinute = wholeNumber('exports-per-minute', String(values['exports-per-minute']), 1);
  const simulator = await startSimulator({
    seed: wholeNumber('seed', String(values.seed), 0),
    from,
    to,
    events: wholeNumber('events', String(values.events), 1),
    apiKey: key,
    exportsPerMinute: perMinute,
    port: wholeNumber('port', String(values.port), 0),
  });
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  process.stdout.write(
    `Iterable simulator at ${simulator.url} (key "${key}", ${days} days from ${day(from)} up to ${new Date(to).toISOString()})\n` +
      `Try: ITERABLE_BASE_URL=${simulator.url} ITERABLE_API_KEY=${key} ` +
      `ITERABLE_EXPORTS_PER_MINUTE=${perMinute} npm start -- --from ${day(from)}\n` +
      `(every window is one export: at ${perMinute} a minute, ${days} days take a while; give both a higher rate to go faster)\n`,
  );
  const pushTo = values['push-webhooks'];
  if (pushTo !== undefined) {
    const report = await pushWebhooks(simulator.truth, {
      url: String(pushTo),
      authorization: process.env.WEBHOOK_AUTHORIZATION ?? '',
      range: { start: from, end: to },
      perSecond: wholeNumber('webhooks-per-second', String(values['webhooks-per-second']), 1),
      duplicateShare: 0.02,
      lossShare: 0.01,
      seed: wholeNumber('seed', String(values.seed), 0),
    });
    process.stdout.write(
      `Webhooks: ${report.delivered} events delivered, ${report.duplicated} twice, ${report.lost} lost, ${report.failed} requests refused\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => void simulator.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

runCommand(main);
