// What every emulator daemon shares: its folder from argv, the sandbox state, a log line format
// (stdout goes to <dir>/logs/<daemon>.log), and a graceful stop on SIGTERM/SIGINT.
import { readJson, type SandboxState } from '../state-files.js';
import { sandboxFiles } from '../layout.js';

export async function daemonState(name: string): Promise<{ dir: string; state: SandboxState }> {
  const dir = process.argv[2];
  if (!dir) throw new Error(`usage: ${name} <sandbox dir>`);
  const state = await readJson<SandboxState>(sandboxFiles(dir).state);
  if (!state) throw new Error(`${name}: no sandbox state in ${dir} (run ydeploy sandbox up)`);
  return { dir, state };
}

export function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

/** The environment processes it starts inherit: PATH and the like, never the AWS or Discord variables of whoever ran `up`. */
export function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL', 'NODE_OPTIONS'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

export function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      stop().then(
        () => process.exit(0),
        (error) => {
          log(`stop failed: ${(error as Error).stack ?? error}`);
          process.exit(1);
        },
      );
    });
  }
}

export function fatal(error: unknown): never {
  log(`fatal: ${(error as Error)?.stack ?? error}`);
  process.exit(1);
}
