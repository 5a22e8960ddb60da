// SDK errors become ApiErrors: "{what}: {why}" with the HTTP status and whether a retry may help.
import { ApiError, UsageError } from '../../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  code?: string;
}

const CREDENTIALS =
  /CredentialsProviderError|ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|AuthFailure/;

export function toApiError(what: string, error: unknown): Error {
  if (error instanceof ApiError || error instanceof UsageError) return error;
  const sdk = (error ?? {}) as SdkError;
  if (sdk.name === 'AbortError' || (error as Error)?.name === 'AbortError') return error as Error;
  const status = sdk.$metadata?.httpStatusCode;
  const name = sdk.name ?? 'Error';
  if (CREDENTIALS.test(name) || CREDENTIALS.test(sdk.message ?? '')) {
    return new ApiError(what, `AWS rejected the credentials (${name}: ${sdk.message})`, {
      status,
      cause: error,
      code: 2,
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
