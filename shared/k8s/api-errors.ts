// How failures of the Kubernetes client are read: the HTTP status of an ApiException, the
// Status message the API server put in its body, and which failures are worth retrying.

import { ApiException } from '@kubernetes/client-node';
import { TransientError } from '../errors.ts';

/** Socket-level failures that a retry can cure (connection dropped, API server briefly unreachable). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** The HTTP status of a failed call, or undefined when no response came back. */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** The `message` of the metav1.Status the API server answered with, or the raw body. */
export function statusMessageOf(error: unknown): string {
  if (!(error instanceof ApiException)) return error instanceof Error ? error.message : String(error);
  const body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') {
        return parsed.message;
      }
    } catch {
      // Not JSON (a proxy's HTML page, say): the text itself is the best message there is.
    }
    return body.slice(0, 500);
  }
  return body === undefined ? '' : JSON.stringify(body).slice(0, 500);
}

function networkCodeOf(error: unknown): string | undefined {
  // node-fetch wraps the socket error; the code may sit on the error or on its cause.
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return true;
  const code = networkCodeOf(error);
  return code !== undefined && TRANSIENT_NETWORK_CODES.has(code);
}

/**
 * The error a ClusterPort method throws for a failure it does not handle itself: TransientError
 * when worth retrying, else a plain Error naming the operation, status and server message.
 */
export function translateError(error: unknown, operation: string): Error {
  const status = httpStatusOf(error);
  const aborted = error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
  const what =
    status !== undefined ? `HTTP ${status}` : aborted ? 'no answer in time' : (networkCodeOf(error) ?? 'no response');
  const message = `Kubernetes API ${operation} failed (${what}): ${statusMessageOf(error)}`;
  if (isTransient(error)) return new TransientError(message, { cause: error });
  return new Error(message, { cause: error });
}
