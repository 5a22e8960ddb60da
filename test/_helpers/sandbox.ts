// Helpers for the sandbox's tests: an isolated state folder, a tiny release the instance host can
// boot without the real bot, clients signed with a given key, and process checks.
import { PutObjectCommand, type S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from '../../cli/sandbox/process.js';

export async function tempSandboxDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ydeploy-sandbox-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sandboxKey(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url').slice(0, 40),
  };
}

/**
 * A release that is not the real bot: bot.mjs logs JSON lines and a readiness file, exits on
 * SIGTERM, and crashes on demand (CRASH_FILE); health.mjs answers /health from the readiness file.
 * Enough to test the instance host on its own.
 */
export const FIXTURE_FILES: Record<string, string> = {
  'bot.mjs': `
import { writeFileSync, rmSync, existsSync } from 'node:fs';
const log = (msg, extra = {}) => process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg, instanceId: process.env.INSTANCE_ID, role: process.env.BOT_ROLE, ...extra }) + '\\n');
log('bot starting', { version: process.env.RELEASE_VERSION, tokenParameter: process.env.DISCORD_TOKEN_PARAMETER });
writeFileSync(process.env.READY_FILE, JSON.stringify({ pid: process.pid, readyAt: new Date().toISOString() }));
const timer = setInterval(() => {
  if (process.env.CRASH_FILE && existsSync(process.env.CRASH_FILE)) { log('crashing on purpose'); process.exit(3); }
  log('heartbeat');
}, 200);
process.on('SIGTERM', () => { clearInterval(timer); rmSync(process.env.READY_FILE, { force: true }); log('bot stopped'); process.exit(0); });
`,
  'health.mjs': `
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
const server = createServer((req, res) => {
  const ready = existsSync(process.env.READY_FILE);
  res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: ready ? 'healthy' : 'starting', instanceId: process.env.INSTANCE_ID, version: process.env.RELEASE_VERSION }));
  console.log(JSON.stringify({ msg: 'health request', path: req.url, status: ready ? 'healthy' : 'starting' }));
});
server.listen(Number(process.env.HEALTH_PORT), process.env.HEALTH_HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
  'botctl.mjs': `console.log('botctl');\n`,
};

export async function uploadFixtureRelease(s3: S3Client, bucket: string, version: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  const files: Record<string, string> = {};
  for (const [name, body] of Object.entries(FIXTURE_FILES)) {
    files[name] = createHash('sha256').update(body).digest('hex');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `releases/${version}/${name}`, Body: body }));
  }
  const manifest = { name: 'ydeploy-bot', version, builtAt: new Date().toISOString(), node: '>=20', files };
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: `releases/${version}/manifest.json`, Body: JSON.stringify(manifest) }),
  );
}

export function alive(pid: number | undefined): boolean {
  return pid !== undefined && processStartTime(pid) !== undefined;
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Runs the built CLI (dist/, built by the global setup) as a user would. */
export async function ydeploy(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  bin = new URL('../../bin/ydeploy.js', import.meta.url).pathname,
): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  const { execFile } = await import('node:child_process');
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The last JSON line of --json output: the command's result. */
export function resultOf(stdout: string): Record<string, any> {
  const lines = stdout.trim().split('\n').filter(Boolean);
  return JSON.parse(lines[lines.length - 1]);
}

/** Environment for a sandbox of its own: a temp folder and a port base away from a developer's. */
export function isolatedEnv(dir: string, portBase: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    YDEPLOY_SANDBOX_DIR: dir,
    YDEPLOY_SANDBOX_PORT_BASE: String(portBase),
    NO_COLOR: '1',
  };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_') && key !== 'AWS_CA_BUNDLE') delete env[key];
  delete env.YDEPLOY_ENV;
  return env;
}

/**
 * A private build of the CLI in a shadow package root (symlinks to bot/, terraform/, node_modules),
 * so a test running the built CLI for minutes never sees another test's rebuild of dist/.
 * Returns the path of its bin/ydeploy.js and of esbuild's metafile of the build.
 */
export async function privateBuild(): Promise<{ bin: string; metafile: string; cleanup(): Promise<void> }> {
  const { execFile } = await import('node:child_process');
  const { copyFile, mkdir, symlink } = await import('node:fs/promises');
  const root = new URL('../../', import.meta.url).pathname;
  const shadow = await mkdtemp(join(tmpdir(), 'ydeploy-build-'));
  for (const link of ['bot', 'terraform', 'node_modules', 'cli']) await symlink(join(root, link), join(shadow, link));
  await copyFile(join(root, 'package.json'), join(shadow, 'package.json'));
  await mkdir(join(shadow, 'bin'));
  await copyFile(join(root, 'bin', 'ydeploy.js'), join(shadow, 'bin', 'ydeploy.js'));
  const outdir = join(shadow, 'dist', 'cli');
  const metafile = join(shadow, 'dist', 'cli.meta.json');
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      [join(root, 'cli', 'build.mjs')],
      { cwd: root, env: { ...process.env, YDEPLOY_BUILD_OUTDIR: outdir, YDEPLOY_BUILD_METAFILE: metafile } },
      (error, _out, stderr) => (error ? reject(new Error(`build failed: ${stderr}`)) : resolve()),
    ),
  );
  return {
    bin: join(shadow, 'bin', 'ydeploy.js'),
    metafile,
    cleanup: () => rm(shadow, { recursive: true, force: true }),
  };
}
