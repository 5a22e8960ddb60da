// Integration and e2e tests run the built CLI and real tools: bring in the Debian packages they
// use (shellcheck), say clearly what else is missing instead of skipping, and build once.
import { execFileSync } from 'node:child_process';
import { ensureCommand, requirePluginMirror, requireTool } from './tools.js';

export default function setup(): void {
  requireTool('terraform');
  requireTool('moto_server');
  requirePluginMirror();
  ensureCommand('shellcheck');
  ensureCommand('systemd-analyze');
  execFileSync(process.execPath, ['cli/build.mjs'], { stdio: 'inherit' });
}
