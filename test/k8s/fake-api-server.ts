// A real HTTP server on 127.0.0.1 that plays a Kubernetes API server: it records every request
// and answers from a handler the test supplies, so the adapter is exercised through the real
// client, serializer and HTTP stack.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface CannedResponse {
  status: number;
  body?: unknown;
  /** Drop the connection without answering (simulates ECONNRESET). */
  reset?: boolean;
  /** Never answer (simulates a hung API server). */
  hang?: boolean;
}

export type Handler = (request: RecordedRequest) => CannedResponse;

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler for subsequent requests. */
  respond(handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeApiServer(initial: Handler = () => ({ status: 404, body: notFound() })): Promise<FakeApiServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const hung: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = handler(recorded);
      if (answer.reset) {
        req.socket.destroy();
        return;
      }
      if (answer.hang) {
        hung.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      handler = next;
    },
    close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A metav1.Status body as the API server sends with an error code. */
export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function notFound(message = 'not found'): Record<string, unknown> {
  return status(404, 'NotFound', message);
}
