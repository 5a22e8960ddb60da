// Integration and e2e tests run the built CLI and real tools: build once, and say clearly
// what is missing instead of skipping.
import { execFileSync } from 'node:child_process';
import { requireTool } from './tools.js';

export default function setup(): void {
  requireTool('terraform');
  requireTool('moto_server');
  execFileSync(process.execPath, ['cli/build.mjs'], { stdio: 'inherit' });
}
