// How the state bucket protects terraform's state, the lock and the journal: versioning (an
// overwritten or deleted object can be brought back), default encryption, a public access block
// and a policy that refuses every request not made over TLS. init sets them; preflight checks
// each one and names the command that sets it.
import type { BucketSettings, PublicAccessBlock } from '../ports.js';

/** The policy statement that denies plain-http requests to the bucket and its objects. */
export const TLS_ONLY_SID = 'DenyInsecureTransport';

export function tlsOnlyStatement(bucket: string): Record<string, unknown> {
  return {
    Sid: TLS_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/**
 * Whether a policy denies, to everyone, every S3 action on the bucket and its objects when
 * aws:SecureTransport is false. A statement that covers only some actions or resources does not count.
 */
export function isTlsOnly(policy: string | undefined, bucket: string): boolean {
  if (!policy) return false;
  let statements: Statement[];
  try {
    statements = list((JSON.parse(policy) as { Statement?: unknown }).Statement) as Statement[];
  } catch {
    return false;
  }
  const arn = `arn:aws:s3:::${bucket}`;
  return statements.some((s) => {
    if (s?.Effect !== 'Deny') return false;
    const principal = s.Principal;
    const everyone =
      principal === '*' ||
      (typeof principal === 'object' && principal !== null && list((principal as { AWS?: unknown }).AWS).includes('*'));
    const actions = list(s.Action);
    const resources = list(s.Resource);
    const secure = list(s.Condition?.Bool?.['aws:SecureTransport']).map(String);
    return (
      everyone &&
      (actions.includes('s3:*') || actions.includes('*')) &&
      (resources.includes('*') ||
        (resources.includes(arn) && (resources.includes(`${arn}/*`) || resources.includes('*')))) &&
      secure.includes('false')
    );
  });
}

/** The bucket's policy with the TLS-only statement added (other statements kept). */
export function withTlsOnly(policy: string | undefined, bucket: string): string {
  const document = policy
    ? (JSON.parse(policy) as { Version?: string; Statement?: unknown })
    : { Version: '2012-10-17', Statement: [] };
  const statements = list(document.Statement).filter((s) => (s as Statement)?.Sid !== TLS_ONLY_SID);
  return JSON.stringify({
    ...document,
    Version: document.Version ?? '2012-10-17',
    Statement: [...statements, tlsOnlyStatement(bucket)],
  });
}

export const blocksAllPublicAccess = (b: PublicAccessBlock | undefined): boolean =>
  Boolean(b && b.blockPublicAcls && b.ignorePublicAcls && b.blockPublicPolicy && b.restrictPublicBuckets);

/** The exact AWS CLI command that sets one protection. */
export const bucketFix = {
  versioning: (bucket: string) =>
    `aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`,
  encryption: (bucket: string) =>
    `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`,
  publicAccess: (bucket: string) =>
    `aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`,
  all: (env: string) => `ydeploy init --harden-bucket --env ${env}`,
};

export interface HardenResult {
  created: boolean;
  /** What was changed, in words; empty when the bucket had every protection already. */
  changed: string[];
}

/**
 * Creates the bucket when it does not exist and gives it every protection it lacks; what it has
 * already is left as it is (a KMS default encryption stays). `tlsOnly: false` leaves the policy
 * alone: an emulator served over plain http (the sandbox's moto) enforces the deny and would
 * refuse every request.
 */
export async function hardenBucket(
  buckets: BucketSettings,
  bucket: string,
  region: string,
  options: { create: boolean; tlsOnly: boolean },
): Promise<HardenResult> {
  const created = options.create ? await buckets.create(bucket, region) : false;
  const changed: string[] = [];
  if ((await buckets.versioning(bucket)) !== 'Enabled') {
    await buckets.enableVersioning(bucket);
    changed.push('versioning enabled');
  }
  if (!(await buckets.encryption(bucket))) {
    await buckets.enableEncryption(bucket);
    changed.push('default encryption SSE-S3');
  }
  if (!blocksAllPublicAccess(await buckets.publicAccessBlock(bucket))) {
    await buckets.blockPublicAccess(bucket);
    changed.push('public access blocked');
  }
  if (options.tlsOnly) {
    const policy = await buckets.policy(bucket);
    if (!isTlsOnly(policy, bucket)) {
      await buckets.putPolicy(bucket, withTlsOnly(policy, bucket));
      changed.push('TLS-only policy');
    }
  }
  return { created, changed };
}
