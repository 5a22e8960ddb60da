// What `--env` completes to: the config's environments and the built-in sandbox. Asked at every
// Tab press, so a config that cannot be read gives the sandbox alone rather than an error in the
// middle of the user's command line.
import type { CommandInput } from '../command.js';
import { loadConfig } from '../config/load.js';
import { SANDBOX } from '../config/sandbox.js';

export async function listEnvironments(input: Pick<CommandInput, 'globals' | 'cwd' | 'env'>): Promise<string[]> {
  const configured = await loadConfig({ config: input.globals.config, cwd: input.cwd, environment: input.env })
    .then(({ config }) => Object.keys(config.environments))
    .catch(() => []);
  return [...new Set([...configured, SANDBOX])];
}
