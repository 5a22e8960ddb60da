// amazon-ssm-agent.service's program inside a systemd-mode instance: `ssm-agent <socket>`.
import { serveAgent } from './ssm-agent.js';

const socketPath = process.argv[2];
if (!socketPath) {
  process.stderr.write('usage: ssm-agent <socket path>\n');
  process.exit(2);
}
const log = (line: string) => process.stdout.write(`${line}\n`);
const close = await serveAgent(socketPath, log);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => void close().finally(() => process.exit(0)));
