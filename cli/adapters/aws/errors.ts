// SDK errors become ApiErrors: "{what}: {why}" with the HTTP status and whether a retry may help.
import { ApiError, CredentialsError, UsageError } from '../../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: string;
}

/** The SDK found no credentials to sign with: nothing reached AWS. */
const NO_CREDENTIALS = /CredentialsProviderError|Could not load credentials|Could not resolve credentials/;
/** AWS answered and refused the credentials it was given. */
const REJECTED = /ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|AuthFailure/;

/** What to do when no credentials are found: every way the SDK's chain can be given some, and the sandbox. */
export const NO_CREDENTIALS_FIX =
  'name an AWS profile (--profile <name>, "profile" in the environment in ydeploy.config.json, or AWS_PROFILE=<name>), ' +
  'or create one with `aws configure`; to try ydeploy without AWS: --env sandbox';

export function toApiError(what: string, error: unknown): Error {
  if (error instanceof ApiError || error instanceof UsageError) return error;
  const sdk = (error ?? {}) as SdkError;
  if (sdk.name === 'AbortError' || (error as Error)?.name === 'AbortError') return error as Error;
  const status = sdk.$metadata?.httpStatusCode;
  const name = sdk.name ?? 'Error';
  if (NO_CREDENTIALS.test(name) || NO_CREDENTIALS.test(sdk.message ?? '')) {
    return new CredentialsError(what, `no AWS credentials were found (${sdk.message ?? name})`, 'missing', {
      cause: error,
      fix: NO_CREDENTIALS_FIX,
    });
  }
  if (REJECTED.test(name) || REJECTED.test(sdk.message ?? '')) {
    return new CredentialsError(what, `AWS rejected the credentials (${name}: ${sdk.message})`, 'rejected', {
      status,
      cause: error,
      fix: 'check `aws sts get-caller-identity`, or pass --profile / set AWS_PROFILE',
    });
  }
  if (sdk.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(sdk.message ?? '')) {
    return new ApiError(what, `the AWS endpoint cannot be reached (${sdk.message})`, {
      cause: error,
      retryable: true,
      fix: 'check the network, or for the sandbox: ydeploy sandbox status',
    });
  }
  return new ApiError(what, `${name}: ${sdk.message ?? 'no message'}`, {
    status,
    cause: error,
    retryable: Boolean(sdk.$retryable) || undefined,
  });
}

/** Run an SDK call, turning its failure into an ApiError named after what we were doing. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toApiError(what, error);
  }
}
