// amazon-cloudwatch-agent.service's program inside a systemd-mode instance:
// `cloudwatch-agent <config>` runs it; `cloudwatch-agent --check <config>` checks a config (the
// ctl script's fetch-config), exit 1 with each problem on stderr.
import { readFile } from 'node:fs/promises';
import { checkConfig, CloudWatchAgent, type AgentConfig } from './cloudwatch-agent.js';

const log = (line: string) => process.stdout.write(`${line}\n`);
const args = process.argv.slice(2);
const checkOnly = args[0] === '--check';
const file = checkOnly ? args[1] : args[0];
if (!file) {
  process.stderr.write('usage: cloudwatch-agent [--check] <config.json>\n');
  process.exit(2);
}

let config: AgentConfig;
try {
  config = JSON.parse(await readFile(file, 'utf8')) as AgentConfig;
} catch (error) {
  process.stderr.write(`amazon-cloudwatch-agent: ${file}: ${(error as Error).message}\n`);
  process.exit(1);
}
const problems = checkConfig(config);
if (problems.length) {
  for (const p of problems) process.stderr.write(`amazon-cloudwatch-agent: ${file}: ${p}\n`);
  process.exit(1);
}
if (checkOnly) process.exit(0);

const agent = new CloudWatchAgent(config, { instanceId: await instanceId(), log });
agent.start();
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => void agent.stop().finally(() => process.exit(0)));

/** The instance id from IMDSv2, as the agent reads it ({instance_id}, ${aws:InstanceId}). */
async function instanceId(): Promise<string> {
  const imds = 'http://169.254.169.254/latest';
  for (let attempt = 1; ; attempt++) {
    try {
      const token = await (
        await fetch(`${imds}/api/token`, {
          method: 'PUT',
          headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
          signal: AbortSignal.timeout(2000),
        })
      ).text();
      const res = await fetch(`${imds}/meta-data/instance-id`, {
        headers: { 'x-aws-ec2-metadata-token': token },
        signal: AbortSignal.timeout(2000),
      });
      if (res.ok) return await res.text();
      throw new Error(`HTTP ${res.status}`);
    } catch (error) {
      if (attempt >= 30) throw new Error(`cannot read the instance id from IMDS: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
