// The built CLI (a private build, esbuild's metafile read back): `--help` loads no dependency but
// commander, `status` loads the SDK only through the adapters it calls and never the pricing
// client, EC2's shapes are only those of the commands sent, the credential providers are chunks
// of their own that still resolve credentials, and bin/ydeploy.js runs from the build.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynamicImportsOf,
  outputOf,
  packagesIn,
  sourcesIn,
  staticClosure,
  type Metafile,
} from '../../_helpers/metafile.js';
import { privateBuild } from '../../_helpers/sandbox.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version as string;

let build: Awaited<ReturnType<typeof privateBuild>>;
let meta: Metafile;
/** The build's output paths are relative to the repository root (esbuild's working folder). */
const file = (output: string) => join(root, output);

beforeAll(async () => {
  build = await privateBuild();
  meta = JSON.parse(await readFile(build.metafile, 'utf8'));
}, 180_000);
afterAll(() => build?.cleanup());

const isSdk = (name: string) => /^@(aws-sdk|smithy|aws-crypto)\//.test(name);
const main = () => outputOf(meta, 'cli/main.ts');
/** What `status` loads before it calls AWS: the entry, and what its handler imports. */
const statusChunks = () =>
  staticClosure(meta, [main(), ...dynamicImportsOf(meta, 'cli/commands/status.ts').map((s) => outputOf(meta, s))]);

describe('the built CLI', () => {
  it('loads no dependency but commander for --help', () => {
    expect([...packagesIn(meta, staticClosure(meta, [main()]))]).toEqual([]);
    expect(sourcesIn(meta, staticClosure(meta, [main()]))).toContain('bundled:commander');
  });

  it('loads the AWS SDK for status only through the adapters, on their first call', () => {
    const loaded = statusChunks();
    expect([...packagesIn(meta, loaded)].filter(isSdk)).toEqual([]);
    expect(sourcesIn(meta, loaded)).toEqual(expect.arrayContaining(['cli/inspect/status.ts', 'cli/context.ts']));
  });

  it("never loads the pricing client for status: the clients of status's reads hold only their own", () => {
    // The SDK modules of the adapters status reads through (instances, remote, logs, store, alarms).
    const reads = ['ec2', 'ssm', 'cloudwatch-logs', 's3', 'cloudwatch'].map((s) =>
      outputOf(meta, `cli/adapters/aws/sdk/${s}.ts`),
    );
    const packages = packagesIn(meta, staticClosure(meta, [...statusChunks(), ...reads]));
    expect([...packages].filter((p) => p.startsWith('@aws-sdk/client-')).sort()).toEqual([
      '@aws-sdk/client-cloudwatch',
      '@aws-sdk/client-cloudwatch-logs',
      '@aws-sdk/client-ec2',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-ssm',
    ]);
    // The pricing client is in the build, reached only by its adapter's import().
    expect(packagesIn(meta, [outputOf(meta, 'cli/adapters/aws/sdk/pricing.ts')])).toContain('@aws-sdk/client-pricing');
    expect(dynamicImportsOf(meta, 'cli/adapters/aws/pricing.ts')).toEqual(['cli/adapters/aws/sdk/pricing.ts']);
  });

  it("holds only the shapes of the EC2 commands ydeploy sends, not EC2's megabyte of them", () => {
    const schemas = Object.values(meta.outputs)
      .flatMap((o) => Object.entries(o.inputs))
      .filter(([input]) => input.endsWith('@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js'))
      .reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
    expect(schemas).toBeGreaterThan(10_000);
    expect(schemas).toBeLessThan(250_000);
  });

  it('keeps the credential providers out of the clients, as chunks loaded on demand', () => {
    const clients = staticClosure(meta, [outputOf(meta, 'cli/adapters/aws/sdk/s3.ts')]);
    const providers = [
      '@aws-sdk/credential-provider-sso',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/credential-provider-process',
      '@aws-sdk/credential-provider-web-identity',
    ];
    const everything = packagesIn(meta, Object.keys(meta.outputs));
    for (const provider of providers) {
      expect(everything, provider).toContain(provider);
      expect(packagesIn(meta, clients), provider).not.toContain(provider);
    }
  });

  it('resolves credentials from a profile and from credential_process through the bundled providers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ydeploy-credentials-'));
    try {
      const processScript = join(dir, 'credentials.mjs');
      await writeFile(
        processScript,
        "console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROCESS', SecretAccessKey: 'process-secret' }));\n",
      );
      await writeFile(
        join(dir, 'credentials'),
        '[keys]\naws_access_key_id = AKIDINI\naws_secret_access_key = ini-secret\n',
      );
      await writeFile(
        join(dir, 'config'),
        `[profile keys]\nregion = eu-west-1\n\n[profile tool]\ncredential_process = ${process.execPath} ${processScript}\n`,
      );
      const s3 = pathToFileURL(file(outputOf(meta, 'cli/adapters/aws/sdk/s3.ts'))).href;
      const probe = `const { S3Client } = await import(${JSON.stringify(s3)});
const out = {};
for (const profile of ['keys', 'tool']) {
  const c = await new S3Client({ region: 'us-east-1', profile }).config.credentials();
  out[profile] = c.accessKeyId;
}
console.log(JSON.stringify(out));`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AWS_CONFIG_FILE: join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      };
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
        delete env[key];
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { env });
      expect(JSON.parse(stdout)).toEqual({ keys: 'AKIDINI', tool: 'AKIDPROCESS' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs bin/ydeploy.js --version and --help from the build', async () => {
    const cwd = dirname(dirname(build.bin));
    const versionRun = await run(process.execPath, [build.bin, '--version'], { cwd });
    expect(versionRun.stdout.trim()).toBe(version);
    const help = await run(process.execPath, [build.bin, '--help'], { cwd });
    expect(help.stdout).toMatch(/Usage: ydeploy/);
    expect(help.stdout).toMatch(/\bstatus\b/);
    const statusHelp = await run(process.execPath, [build.bin, 'status', '--help'], { cwd });
    expect(statusHelp.stdout).toMatch(/--watch/);
  });
});
