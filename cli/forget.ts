/**
 * `npm run forget`: the forget step alone, on the local warehouse. With ITERABLE_API_KEY it reads
 * that project's forgotten lists; without, the demo simulator's. An unreadable list is a WARNING
 * in the summary, not a failure: exit code 0 unless the warehouse itself failed.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../functions/src/config.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import { forgetLocal, forgetSummary } from '../local/forget.js';
import { DEMO, startDemoSimulator } from './demo.js';
import { parseFlags } from './flags.js';
import { runCommand } from './operator-options.js';
import { defaultWarehouse } from './warehouse-check.js';

const USAGE = `Usage: npm run forget -- [--warehouse <file>]

  --warehouse  the local warehouse to delete forgotten users from (default: ${defaultWarehouse()})

Reads Iterable's lists of forgotten users (GET /api/users/forgotten, /api/users/forgottenUserIds)
and deletes every row of theirs from the raw tables, rejects, live and fact tables, writing one
audit row per user (hash only) to iterable_raw.forgotten_users. npm start runs it after loading.`;

async function main(): Promise<number> {
  const flags = parseFlags(
    process.argv.slice(2),
    { warehouse: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const simulator = config.iterable.apiKey === null ? await startDemoSimulator(Date.now()) : null;
  try {
    const iterable = new IterableClient({
      baseUrl: simulator?.url ?? config.iterable.baseUrl,
      apiKey: simulator ? DEMO.apiKey : (config.iterable.apiKey ?? ''),
    });
    const result = await forgetLocal({
      iterable,
      warehouseFile: resolve(flags.warehouse ?? defaultWarehouse()),
      datasets: config.datasets,
      log: () => {},
    });
    process.stdout.write(`${forgetSummary(result)}\n`);
    return 0;
  } finally {
    await simulator?.close();
  }
}

runCommand(main);
