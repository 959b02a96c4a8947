// A KubeConfig built in memory from what EKS DescribeCluster returns, with a bearer token that is
// asked for on every request, so a Lambda needs neither a kubeconfig file nor an exec plugin and
// a warm container never sends a token that has gone stale.

import {
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  type ApiConstructor,
  type ApiType,
  type Middleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { InvalidInputError } from '../errors.ts';
import type { ClusterInfo } from '../types.ts';

/** Returns a bearer token valid for at least the next request. */
export type TokenSource = () => Promise<string>;

/** Long enough for a slow eviction, short enough to retry well inside a 2-minute interruption notice. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];
type AuthUser = Parameters<Authenticator['isAuthProvider']>[0];
type AuthOptions = Parameters<Authenticator['applyAuthentication']>[1];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Sets `Authorization: Bearer <token>` from the token source. client-node consults authenticators
 * for every request (KubeConfig.applySecurityAuthentication), so caching and refreshing stay with
 * the token source.
 */
class TokenSourceAuthenticator implements Authenticator {
  constructor(
    private readonly userName: string,
    private readonly token: TokenSource,
  ) {}

  isAuthProvider(user: AuthUser): boolean {
    return user.name === this.userName;
  }

  async applyAuthentication(_user: AuthUser, opts: AuthOptions): Promise<void> {
    const token = await this.token();
    opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
  }
}

/**
 * The KubeConfig for one cluster. `cluster.endpoint` must be https with the cluster's CA
 * (base64 PEM, as DescribeCluster returns it); plain http is accepted only on loopback, for tests
 * and local API servers, since the bearer token would otherwise cross the network in clear.
 */
export function kubeConfigFor(cluster: ClusterInfo, token: TokenSource): KubeConfig {
  let url: URL;
  try {
    url = new URL(cluster.endpoint);
  } catch {
    throw new InvalidInputError(`cluster.endpoint: "${cluster.endpoint}" is not a URL`);
  }
  const plainHttp = url.protocol === 'http:';
  if (plainHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new InvalidInputError(`cluster.endpoint: "${cluster.endpoint}" uses http on a non-loopback host; use https`);
  }
  if (!plainHttp && url.protocol !== 'https:') {
    throw new InvalidInputError(`cluster.endpoint: "${cluster.endpoint}" must be https`);
  }
  if (!plainHttp && !cluster.certificateAuthority) {
    throw new InvalidInputError(`cluster.certificateAuthority: missing for ${cluster.endpoint}`);
  }
  const name = cluster.name || 'cluster';
  const userName = `nodewright@${name}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name,
        server: cluster.endpoint.replace(/\/+$/, ''),
        ...(plainHttp ? { skipTLSVerify: true } : { caData: cluster.certificateAuthority, skipTLSVerify: false }),
      },
    ],
    users: [{ name: userName }],
    contexts: [{ name, cluster: name, user: userName }],
    currentContext: name,
  });
  kubeConfig.addAuthenticator(new TokenSourceAuthenticator(userName, token));
  return kubeConfig;
}

/** Aborts a request that has not answered in time; the abort surfaces as a retryable failure. */
function requestTimeout(timeoutMs: number): Middleware {
  return {
    pre: async (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return context;
    },
    post: async (response: ResponseContext) => response,
  };
}

/** Like KubeConfig.makeApiClient, plus a per-request timeout (client-node sets none by default). */
export function makeApiClient<T extends ApiType>(
  kubeConfig: KubeConfig,
  api: ApiConstructor<T>,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new InvalidInputError('kubeConfig: no current cluster');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [requestTimeout(timeoutMs)],
  });
  return new api(configuration);
}
