// How to run one of the sandbox's own programs (each emulator's main.ts) as a process: the built
// file in the running build (dist/cli/sandbox/emulators/) when ydeploy runs built, the source
// through tsx when it runs from source (tests, `node --import tsx cli/main.ts`).
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';

export type Program = 'shim' | 'host' | 'discord' | 'unitctl' | 'relay' | 'ssm-agent' | 'cloudwatch-agent';

/** Each program's entry, relative to cli/sandbox/ without its extension (cli/build.mjs builds these). */
export const PROGRAM_ENTRIES: Record<Program, string> = {
  discord: 'emulators/discord/main',
  shim: 'emulators/runcommand/main',
  host: 'emulators/host/main',
  unitctl: 'emulators/runcommand/unitctl/main',
  // Run inside systemd-mode instances (emulators/machine/).
  relay: 'emulators/machine/relay-main',
  'ssm-agent': 'emulators/machine/agents/ssm-agent-main',
  'cloudwatch-agent': 'emulators/machine/agents/cloudwatch-agent-main',
};

export function programCommand(name: Program): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const entry = PROGRAM_ENTRIES[name];
  const source = join(PACKAGE_ROOT, 'cli', 'sandbox', `${entry}.ts`);
  if (here.includes(`${sep}dist${sep}`) || !existsSync(source)) {
    const built = builtEntry(here, entry);
    if (built) return [process.execPath, built];
  }
  if (existsSync(source))
    return [
      process.execPath,
      '--import',
      pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
      source,
    ];
  throw new Error(`cannot find the sandbox program ${name} (run npm run build)`);
}

/** This code sits in a chunk of the build (dist/cli/) or inside a program (dist/cli/sandbox/emulators/…/). */
function builtEntry(here: string, entry: string): string | undefined {
  for (let base = here; base !== dirname(base); base = dirname(base)) {
    const built = join(base, 'sandbox', `${entry}.js`);
    if (existsSync(built)) return built;
  }
  return undefined;
}

/** Which daemon a command line runs (moto aside), from its entry's path: `down` finds unrecorded ones by it. */
export function daemonOfCommandLine(argv: string): 'shim' | 'host' | 'discord' | undefined {
  const line = argv.replace(/\\/g, '/');
  return (['shim', 'host', 'discord'] as const).find((name) => line.includes(`/sandbox/${PROGRAM_ENTRIES[name]}.`));
}
