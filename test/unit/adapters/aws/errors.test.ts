// SDK errors as the user reads them: no credentials at all is not "AWS rejected the credentials".
import { describe, expect, it } from 'vitest';
import { toApiError } from '../../../../cli/adapters/aws/errors.js';
import { ApiError, CredentialsError, exitCodeOf } from '../../../../cli/errors.js';

/** An error shaped like the SDK's: a name, a message, and for AWS's answers the HTTP status. */
function sdkError(name: string, message: string, status?: number): Error {
  return Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
}

describe('toApiError: credentials', () => {
  it('no credentials found is "no AWS credentials", with every way to give some, exit 2', () => {
    const error = toApiError(
      'cannot list EC2 instances',
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
    );
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).problem).toBe('missing');
    expect(error.message).toBe(
      'cannot list EC2 instances: no AWS credentials were found (Could not load credentials from any providers)',
    );
    expect(error.message).not.toContain('rejected');
    const { fix } = error as CredentialsError;
    for (const way of ['--profile', 'AWS_PROFILE', 'aws configure', '--env sandbox']) expect(fix).toContain(way);
    expect(exitCodeOf(error)).toBe(2);
  });

  it('a named profile that gives no credentials is missing credentials too', () => {
    const error = toApiError(
      'cannot read CloudWatch alarms',
      sdkError(
        'CredentialsProviderError',
        'Could not resolve credentials using profile: [work] in configuration/credentials file(s).',
      ),
    ) as CredentialsError;
    expect(error.problem).toBe('missing');
    expect(error.why).toContain('profile: [work]');
  });

  it.each(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'UnrecognizedClientException'])(
    'AWS refusing them (%s) is "AWS rejected the credentials", exit 2',
    (name) => {
      const error = toApiError('cannot confirm AWS credentials', sdkError(name, 'refused', 403)) as CredentialsError;
      expect(error).toBeInstanceOf(CredentialsError);
      expect(error.problem).toBe('rejected');
      expect(error.why).toBe(`AWS rejected the credentials (${name}: refused)`);
      expect(error.status).toBe(403);
      expect(exitCodeOf(error)).toBe(2);
    },
  );

  it('anything else stays an ApiError of its own', () => {
    const error = toApiError('cannot read s3://b/k', sdkError('AccessDenied', 'Access Denied', 403));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(CredentialsError);
    expect(error.message).toBe('cannot read s3://b/k: AccessDenied: Access Denied');
    expect(exitCodeOf(error)).toBe(1);
  });
});
