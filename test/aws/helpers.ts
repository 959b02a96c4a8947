// Shared test plumbing: SDK clients that can never reach AWS, and errors shaped as SDK v3 throws them.

import type { EC2ServiceException } from '@aws-sdk/client-ec2';

/** What every client's base exception takes (they share one smithy constructor). */
type ServiceExceptionOptions = ConstructorParameters<typeof EC2ServiceException>[0];

export const TEST_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-tests' },
  // Any request that escapes the mock fails at once instead of retrying against the network.
  maxAttempts: 1,
};

type ServiceExceptionClass = new (options: ServiceExceptionOptions) => Error;

/**
 * An error as the SDK builds it from a service response: the client's base exception class with
 * `name` set to the AWS error code, and the HTTP status and fault the service sent.
 */
export function awsError(
  exceptionClass: ServiceExceptionClass,
  name: string,
  message = name,
  options: { status?: number } = {},
): Error {
  const status = options.status ?? 400;
  return new exceptionClass({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'test-request' },
  });
}
