// `relay <config.json>`: started by the instance host inside an instance's network namespace.
import { readFile } from 'node:fs/promises';
import { startRelay, type RelayConfig } from './relay.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: relay <config.json>\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const config = JSON.parse(await readFile(file, 'utf8')) as RelayConfig;
const stop = await startRelay(config, log);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => void stop().finally(() => process.exit(0)));
