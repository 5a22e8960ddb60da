// The state bucket's protections in preflight: one check line each, with the command that fixes it.
import { describe, expect, it } from 'vitest';
import { runPreflight } from '../../../cli/preflight/run.js';
import type { UserError } from '../../../cli/errors.js';
import { MemoryBuckets } from '../../_helpers/fakes.js';
import { isPlainHttpLoopback } from '../../../cli/adapters/aws/s3-buckets.js';
import { healthyDeps, jsonReporter, testEnv } from './fakes.js';

async function preflight(buckets: MemoryBuckets, sandbox = false) {
  const recorded = await jsonReporter();
  const deps = { ...healthyDeps(), buckets, reporter: recorded.reporter };
  if (sandbox) deps.env = testEnv({ sandbox: true });
  let error: UserError | undefined;
  try {
    await runPreflight(deps, { tests: deps.tests });
  } catch (e) {
    error = e as UserError;
  }
  const checks = recorded.events().filter((e) => e.type === 'check' && String(e.id).startsWith('state-bucket-'));
  return { error, checks: checks as Record<string, any>[] };
}

describe('preflight: state bucket protections', () => {
  it('passes a hardened bucket, one line per protection', async () => {
    const { error, checks } = await preflight(new MemoryBuckets().add('acme-state', true));
    expect(error).toBeUndefined();
    expect(checks.map((c) => [c.id, c.ok])).toEqual([
      ['state-bucket-versioning', true],
      ['state-bucket-encryption', true],
      ['state-bucket-public-access', true],
      ['state-bucket-tls', true],
    ]);
  });

  it('fails each missing protection with its exact fix, exit 3', async () => {
    const { error, checks } = await preflight(new MemoryBuckets().add('acme-state', false));
    expect(error?.code).toBe(3);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['state-bucket-versioning']).toMatchObject({
      ok: false,
      fix: 'aws s3api put-bucket-versioning --bucket acme-state --versioning-configuration Status=Enabled (or ydeploy init --harden-bucket --env production)',
    });
    expect(byId['state-bucket-encryption'].fix).toContain('aws s3api put-bucket-encryption --bucket acme-state');
    expect(byId['state-bucket-public-access']).toMatchObject({
      ok: false,
      reason: 's3://acme-state does not block all public access (no public access block)',
    });
    expect(byId['state-bucket-public-access'].fix).toContain('aws s3api put-public-access-block --bucket acme-state');
    expect(byId['state-bucket-tls']).toMatchObject({ ok: false, fix: 'ydeploy init --harden-bucket --env production' });
  });

  it('names the public access settings that are off', async () => {
    const buckets = new MemoryBuckets().add('acme-state', true);
    buckets.buckets.get('acme-state')!.publicAccessBlock!.restrictPublicBuckets = false;
    const { checks } = await preflight(buckets);
    expect(checks.find((c) => c.id === 'state-bucket-public-access')!.reason).toBe(
      's3://acme-state does not block all public access (restrictPublicBuckets)',
    );
  });

  it('does not ask the sandbox (plain http) for a TLS-only policy', async () => {
    const buckets = new MemoryBuckets().add('acme-state', true);
    buckets.buckets.get('acme-state')!.policy = undefined;
    const { checks } = await preflight(buckets, true);
    expect(checks.find((c) => c.id === 'state-bucket-tls')).toMatchObject({ ok: true });
  });

  it('does not require a TLS-only policy where S3 is an emulator over plain http on this machine', async () => {
    const buckets = new MemoryBuckets().add('acme-state', false);
    Object.assign(buckets, { plainHttpLoopback: true });
    const { checks } = await preflight(buckets);
    expect(checks.find((c) => c.id === 'state-bucket-tls')).toMatchObject({
      ok: true,
      reason: expect.stringContaining('not required: S3 is an emulator over plain http'),
    });
  });

  it('knows plain http on loopback from anything else', () => {
    expect(isPlainHttpLoopback('http://127.0.0.1:5000')).toBe(true);
    expect(isPlainHttpLoopback('http://localhost:4566')).toBe(true);
    expect(isPlainHttpLoopback('https://127.0.0.1:5000')).toBe(false);
    expect(isPlainHttpLoopback('http://s3.example.com')).toBe(false);
    expect(isPlainHttpLoopback('not a url')).toBe(false);
  });
});
