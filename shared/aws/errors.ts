// How an SDK v3 failure is told apart: the adapters answer the few named errors their port
// contract gives a meaning to, turn the ones worth retrying into TransientError (the workflows
// retry on that name), and let everything else through untouched: a permission problem or a bug
// does not get better by retrying.

import { TransientError } from '../errors.ts';

/** Error codes AWS services use for "slow down"; EC2 and DynamoDB spell them differently. */
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceeded',
  'ProvisionedThroughputExceededException',
  'EC2ThrottledException',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
]);

/** Server-side codes some services return with a 4xx-looking envelope (EC2's query protocol). */
const SERVER_CODES = new Set(['InternalError', 'InternalFailure', 'InternalServerError', 'ServiceUnavailable', 'Unavailable']);

/** Socket-level failures and the SDK's own timeouts: the request may never have reached AWS. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

/** The error's AWS code: SDK v3 puts it in `name` (e.g. `InvalidInstanceID.NotFound`). */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as SdkErrorShape;
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof code === 'string' ? code : undefined;
}

/** True when the error carries one of the given AWS error codes. */
export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

/** True for throttling, 5xx and network timeouts: failures a later attempt may not meet. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const code = typeof shape.code === 'string' ? shape.code : '';
  if (THROTTLING_CODES.has(name) || THROTTLING_CODES.has(code) || shape.$retryable?.throttling === true) return true;
  if (SERVER_CODES.has(name) || shape.$fault === 'server') return true;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return TIMEOUT_NAMES.has(name) || NETWORK_CODES.has(code) || NETWORK_CODES.has(name);
}

/**
 * Rethrows `error` as TransientError (original kept as `cause`) when it is worth retrying,
 * otherwise as it is. `operation` names the API call in the message, for the logs.
 */
export function rethrowAwsError(error: unknown, operation: string): never {
  if (isTransientAwsError(error)) {
    const detail = error instanceof Error ? `${awsErrorName(error) ?? error.name}: ${error.message}` : String(error);
    throw new TransientError(`${operation} failed transiently (${detail})`, { cause: error });
  }
  throw error;
}

/** Runs one AWS call and maps its failure with rethrowAwsError. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    rethrowAwsError(error, operation);
  }
}
