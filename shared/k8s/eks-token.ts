// The bearer token an EKS API server accepts from an IAM principal: a presigned STS
// GetCallerIdentity URL, base64url-encoded behind the `k8s-aws-v1.` prefix. The API server's
// authenticator replays the URL against STS to learn who is calling, so no kubeconfig file and
// no `aws eks get-token` binary are needed inside a Lambda.

import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { InvalidInputError } from '../errors.ts';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds a token to one cluster; it must be among the signed headers. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** What the URL itself says (X-Amz-Expires); the API server ignores it, see TOKEN_VALIDITY_MS. */
export const PRESIGN_EXPIRES_SECONDS = 60;
/**
 * The EKS authenticator accepts a token for 15 minutes after its X-Amz-Date whatever X-Amz-Expires
 * says; aws-iam-authenticator and `aws eks get-token` both treat it as good for 14 minutes.
 */
export const TOKEN_VALIDITY_MS = 15 * 60_000;
/** Refresh this long before the token (or the credentials that signed it) stops being accepted. */
export const REFRESH_MARGIN_MS = 60_000;

const STS_API_VERSION = '2011-06-15';
// SignatureV4 wants a constructor taking only the HMAC secret; the SDK clients bind Hash the same way.
const Sha256 = Hash.bind(null, 'sha256');

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// EKS cluster names: 1-100 characters, alphanumerics, hyphens and underscores, starting alphanumeric.
const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

export interface EksTokenRequest {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** The signing time; the token is accepted for TOKEN_VALIDITY_MS after it. */
  signingDate: Date;
}

export interface EksToken {
  token: string;
  /** When the API server stops accepting it: 15 minutes after signing, or when the credentials expire if sooner. */
  expiresAt: Date;
}

/** The regional STS host; China partitions live under amazonaws.com.cn. */
export function stsHostname(region: string): string {
  if (!REGION_PATTERN.test(region)) {
    throw new InvalidInputError(`region: "${region}" is not an AWS region name`);
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `sts.${region}.${suffix}`;
}

/** Presigns GetCallerIdentity for the cluster and wraps it as an EKS bearer token. */
export async function createEksToken(request: EksTokenRequest): Promise<EksToken> {
  const { clusterName, region, credentials, signingDate } = request;
  if (!CLUSTER_NAME_PATTERN.test(clusterName)) {
    throw new InvalidInputError(`clusterName: "${clusterName}" is not an EKS cluster name`);
  }
  const hostname = stsHostname(region);
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Sha256, uriEscapePath: true });
  const unsigned = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: STS_API_VERSION },
    // Only x-amz-* headers are hoisted into the query by the presigner, so the cluster id stays
    // a signed header, which is where the EKS authenticator looks for it.
    headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
  });
  const signed = await signer.presign(unsigned, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  const url = `https://${hostname}/?${encodeQuery(signed.query ?? {})}`;
  const token = EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
  let expiresAt = signingDate.getTime() + TOKEN_VALIDITY_MS;
  if (credentials.expiration) expiresAt = Math.min(expiresAt, credentials.expiration.getTime());
  return { token, expiresAt: new Date(expiresAt) };
}

function encodeQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null) continue;
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
    }
  }
  return parts.join('&');
}

export interface EksTokenSourceOptions {
  clusterName: string;
  region: string;
  /** Where credentials come from; by default the same chain the SDK clients use (env, web identity, container, IMDS...). */
  credentials?: AwsCredentialIdentityProvider;
  /** Wall clock; injected so tests can move time. */
  now?: () => Date;
}

/**
 * Hands out the current token, signing a new one only when the cached one is within
 * REFRESH_MARGIN_MS of expiry, so a Lambda making many API calls signs about once per 14 minutes.
 */
export class EksTokenSource {
  private cached: EksToken | undefined;
  private pending: Promise<EksToken> | undefined;
  private credentialProvider: AwsCredentialIdentityProvider | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: EksTokenSourceOptions) {
    // Fail at wiring time, not on the first API call.
    stsHostname(options.region);
    if (!CLUSTER_NAME_PATTERN.test(options.clusterName)) {
      throw new InvalidInputError(`clusterName: "${options.clusterName}" is not an EKS cluster name`);
    }
    this.credentialProvider = options.credentials;
    this.now = options.now ?? (() => new Date());
  }

  /** A token the API server will accept for at least REFRESH_MARGIN_MS more. */
  async token(): Promise<string> {
    const now = this.now().getTime();
    if (this.cached && this.cached.expiresAt.getTime() - REFRESH_MARGIN_MS > now) return this.cached.token;
    // Concurrent callers share one signing instead of each resolving credentials.
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).token;
  }

  /** Bound form for places that want a plain `() => Promise<string>`. */
  readonly provider = (): Promise<string> => this.token();

  private async refresh(): Promise<EksToken> {
    const provider = await this.resolveProvider();
    const credentials = await provider();
    const fresh = await createEksToken({
      clusterName: this.options.clusterName,
      region: this.options.region,
      credentials,
      signingDate: this.now(),
    });
    this.cached = fresh;
    return fresh;
  }

  private async resolveProvider(): Promise<AwsCredentialIdentityProvider> {
    if (!this.credentialProvider) {
      // Loaded lazily so tests and the simulator, which inject credentials, never pull the chain in.
      // credential-provider-node is what every @aws-sdk/client-* already depends on.
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      this.credentialProvider = defaultProvider();
    }
    return this.credentialProvider;
  }
}
