import { describe, expect, it } from 'vitest';
import { hardenBucket, isTlsOnly, withTlsOnly } from '../../../cli/core/buckets.js';
import { MemoryBuckets } from '../../_helpers/fakes.js';

const deny = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::acme-state', 'arn:aws:s3:::acme-state/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        ...over,
      },
    ],
  });

describe('the state bucket policy', () => {
  it('counts only a deny of every action on the bucket and its objects, to everyone, without TLS', () => {
    expect(isTlsOnly(deny(), 'acme-state')).toBe(true);
    expect(isTlsOnly(deny({ Principal: { AWS: '*' } }), 'acme-state')).toBe(true);
    expect(isTlsOnly(undefined, 'acme-state')).toBe(false);
    expect(isTlsOnly('not json', 'acme-state')).toBe(false);
    expect(isTlsOnly(deny({ Effect: 'Allow' }), 'acme-state')).toBe(false);
    expect(isTlsOnly(deny({ Action: 's3:GetObject' }), 'acme-state')).toBe(false);
    expect(isTlsOnly(deny({ Resource: 'arn:aws:s3:::acme-state' }), 'acme-state')).toBe(false);
    expect(isTlsOnly(deny({ Principal: { AWS: 'arn:aws:iam::1:root' } }), 'acme-state')).toBe(false);
    expect(isTlsOnly(deny({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), 'acme-state')).toBe(false);
    expect(isTlsOnly(deny(), 'other-bucket')).toBe(false);
  });

  it('adds the TLS-only statement beside the statements a policy has, once', () => {
    const other = {
      Sid: 'ReadForCi',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::1:role/ci' },
      Action: 's3:GetObject',
      Resource: '*',
    };
    const policy = withTlsOnly(withTlsOnly(JSON.stringify({ Version: '2012-10-17', Statement: [other] }), 'b'), 'b');
    const statements = JSON.parse(policy).Statement;
    expect(statements).toHaveLength(2);
    expect(statements[0]).toEqual(other);
    expect(isTlsOnly(policy, 'b')).toBe(true);
  });
});

describe('hardenBucket', () => {
  it('creates a missing bucket with versioning, SSE-S3, a public access block and the TLS-only policy', async () => {
    const buckets = new MemoryBuckets();
    const result = await hardenBucket(buckets, 'acme-state', 'eu-west-1', { create: true, tlsOnly: true });
    expect(result).toEqual({
      created: true,
      changed: ['versioning enabled', 'default encryption SSE-S3', 'public access blocked', 'TLS-only policy'],
    });
    expect(buckets.calls).toEqual([
      'create acme-state eu-west-1',
      'versioning acme-state',
      'encryption acme-state',
      'public-access-block acme-state',
      'policy acme-state',
    ]);
    expect(isTlsOnly(buckets.buckets.get('acme-state')!.policy, 'acme-state')).toBe(true);
  });

  it('changes nothing on a bucket that has it all, keeps a KMS default, and can leave the policy alone', async () => {
    const buckets = new MemoryBuckets().add('acme-state', true);
    expect(await hardenBucket(buckets, 'acme-state', 'us-east-1', { create: true, tlsOnly: true })).toEqual({
      created: false,
      changed: [],
    });
    const plain = new MemoryBuckets().add('sandbox', false);
    plain.buckets.get('sandbox')!.encryption = 'aws:kms';
    const result = await hardenBucket(plain, 'sandbox', 'us-east-1', { create: false, tlsOnly: false });
    expect(result.changed).toEqual(['versioning enabled', 'public access blocked']);
    expect(plain.buckets.get('sandbox')!.encryption).toBe('aws:kms');
    expect(plain.calls).not.toContain('policy sandbox');
  });
});
