// The role a new bot boots in is computed by terraform (locals legacy_bot_role and
// enhanced_bot_role in compute.tf) and, for the test fakes, by bootRole() in
// bot/contracts/roles.ts. The locals are read from compute.tf as written, put into a module of
// their own beside variables.tf (no provider: `terraform console` answers in well under a
// second), and evaluated for every combination of the variables they read.
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootRole,
  INSTANCE_KINDS,
  type BootRoleInputs,
  type InstanceKind,
  type Role,
} from '../../../bot/contracts/roles.js';
import { MODULE_DIR, type Vars } from '../../_helpers/terraform.js';
import { requireTool } from '../../_helpers/tools.js';

const LOCALS = ['enhanced_releases', 'legacy_bot_role', 'enhanced_bot_role'];

const base: Vars = {
  environment: 'staging',
  release_bucket: 'acme-releases',
  discord_token_parameter: '/ydeploy/staging/discord-token',
  legacy_release_version: 'v1',
};

interface Combination {
  legacy: boolean;
  enhanced: boolean;
  serving: InstanceKind | null;
  candidate: string | null;
}

interface Roles {
  legacy: Role;
  enhanced: Record<string, Role>;
}

/** Every combination the module accepts: at least one kind enabled, a candidate only beside enhanced. */
function combinations(): Combination[] {
  const all: Combination[] = [];
  for (const legacy of [false, true]) {
    for (const enhanced of [false, true]) {
      for (const serving of [null, ...INSTANCE_KINDS]) {
        for (const candidate of enhanced ? [null, 'v3'] : [null]) {
          if (legacy || enhanced) all.push({ legacy, enhanced, serving, candidate });
        }
      }
    }
  }
  return all;
}

function varsOf(c: Combination): Vars {
  return {
    ...base,
    enable_legacy_instance: c.legacy,
    enable_enhanced_instance: c.enhanced,
    serving_role: c.serving,
    release_version: c.enhanced ? 'v2' : null,
    candidate_release_version: c.candidate,
  };
}

/** What bootRole() gives each instance the variables ask for, keyed like terraform's locals. */
function expected(c: Combination): Roles {
  const inputs: BootRoleInputs = {
    legacyEnabled: c.legacy,
    enhancedEnabled: c.enhanced,
    serving: c.serving,
    release: c.enhanced ? 'v2' : null,
  };
  const releases = c.enhanced ? ['v2', ...(c.candidate ? [c.candidate] : [])] : [];
  return {
    legacy: bootRole('legacy', 'v1', inputs),
    enhanced: Object.fromEntries(releases.map((release) => [release, bootRole('enhanced', release, inputs)])),
  };
}

/** The named statements of compute.tf's locals block, as written (one may span several lines). */
function localsOf(computeTf: string, names: string[]): string {
  const block = /^locals \{\n([\s\S]*?)^\}/m.exec(computeTf)?.[1] ?? '';
  const lines = block.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const name = /^\s*(\w+)\s*=/.exec(lines[i]!)?.[1];
    if (!name || !names.includes(name)) continue;
    let depth = 0;
    do {
      depth += (lines[i]!.match(/\{/g)?.length ?? 0) - (lines[i]!.match(/\}/g)?.length ?? 0);
      kept.push(lines[i]!);
    } while (depth > 0 && ++i < lines.length);
  }
  return kept.join('\n');
}

let dir: string;
let computeTf: string;

beforeAll(async () => {
  requireTool('terraform');
  computeTf = await readFile(join(MODULE_DIR, 'compute.tf'), 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'ydeploy-boot-role-'));
  await copyFile(join(MODULE_DIR, 'variables.tf'), join(dir, 'variables.tf'));
  await writeFile(join(dir, 'roles.tf'), `locals {\n${localsOf(computeTf, LOCALS)}\n}\n`);
  await writeFile(join(dir, 'terraformrc'), '');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function terraformRoles(c: Combination, index: number): Promise<Roles> {
  const file = join(dir, `combination-${index}.tfvars.json`);
  await writeFile(file, JSON.stringify(varsOf(c)));
  const input = 'jsonencode({ legacy = local.legacy_bot_role, enhanced = local.enhanced_bot_role })\n';
  const env = { TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const run = await execa('terraform', ['console', '-no-color', `-var-file=${file}`], { cwd: dir, env, input });
  return JSON.parse(JSON.parse(run.stdout.trim()) as string) as Roles;
}

describe('boot role: terraform and bootRole() agree', () => {
  it('reads every local the rule is made of from compute.tf', () => {
    const found = localsOf(computeTf, LOCALS);
    for (const name of LOCALS) expect(found).toMatch(new RegExp(`^\\s*${name}\\s*=`, 'm'));
  });

  it('tags each instance with its local', () => {
    expect(computeTf).toMatch(/^\s*BotRole\s*=\s*local\.legacy_bot_role\s*$/m);
    expect(computeTf).toMatch(/^\s*BotRole\s*=\s*local\.enhanced_bot_role\[each\.key\]\s*$/m);
  });

  it.each(combinations().map((c, index) => [JSON.stringify(c), c, index] as const))('%s', async (_name, c, index) => {
    expect(await terraformRoles(c, index)).toEqual(expected(c));
  });
});
