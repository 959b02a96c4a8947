import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { EksTokenSource, createEksToken, stsHostname } from '../../shared/k8s/eks-token.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=odd chars',
};
const signingDate = new Date('2025-03-04T05:06:07Z');

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const payload = token.slice('k8s-aws-v1.'.length);
  expect(payload).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(payload, 'base64url').toString('utf8'));
}

// SigV4 recomputed from the specification with node:crypto, independent of the signer under test.
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalQuery = params.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.hostname}`,
    `x-k8s-aws-id:${clusterName}`,
    '',
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const [, day, region] = /^[^/]+\/(\d{8})\/([^/]+)\/sts\/aws4_request$/.exec(url.searchParams.get('X-Amz-Credential') ?? '') ?? [];
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/sts/aws4_request`,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day ?? ''), region ?? ''), 'sts'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('createEksToken', () => {
  it('presigns GetCallerIdentity on the regional STS endpoint, bound to the cluster', async () => {
    const { token, expiresAt } = await createEksToken({ clusterName: 'prod-east', region: 'us-east-2', credentials, signingDate });
    const url = decode(token);
    const q = url.searchParams;
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.us-east-2.amazonaws.com');
    expect(url.pathname).toBe('/');
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Date')).toBe('20250304T050607Z');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250304/us-east-2/sts/aws4_request');
    expect(q.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(q.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    // the cluster id is a signed header, not a query parameter
    expect(q.has('x-k8s-aws-id')).toBe(false);
    expect(q.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod-east', credentials.secretAccessKey));
    expect(expiresAt.toISOString()).toBe('2025-03-04T05:21:07.000Z');
  });

  it('signs a different token for a different cluster', async () => {
    const a = await createEksToken({ clusterName: 'a', region: 'eu-west-1', credentials, signingDate });
    const b = await createEksToken({ clusterName: 'b', region: 'eu-west-1', credentials, signingDate });
    expect(decode(a.token).searchParams.get('X-Amz-Signature')).not.toBe(decode(b.token).searchParams.get('X-Amz-Signature'));
    expect(decode(b.token).searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(decode(b.token), 'b', credentials.secretAccessKey),
    );
  });

  it('expires with the credentials when they run out before 15 minutes', async () => {
    const expiration = new Date(signingDate.getTime() + 5 * 60_000);
    const { expiresAt } = await createEksToken({
      clusterName: 'c',
      region: 'us-west-2',
      credentials: { ...credentials, expiration },
      signingDate,
    });
    expect(expiresAt).toEqual(expiration);
  });

  it.each([
    ['us-east-1', 'sts.us-east-1.amazonaws.com'],
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'],
  ])('STS host for %s is %s', (region, host) => {
    expect(stsHostname(region)).toBe(host);
  });

  it('rejects a bad region or cluster name naming the field', async () => {
    expect(() => stsHostname('US_EAST')).toThrow('region: "US_EAST" is not an AWS region name');
    await expect(createEksToken({ clusterName: 'bad name', region: 'us-east-1', credentials, signingDate })).rejects.toThrow(
      InvalidInputError,
    );
  });
});

describe('EksTokenSource', () => {
  function source(start: Date) {
    let now = start;
    let resolutions = 0;
    const tokens = new EksTokenSource({
      clusterName: 'prod',
      region: 'us-east-1',
      credentials: async () => {
        resolutions++;
        return credentials;
      },
      now: () => now,
    });
    return {
      tokens,
      advance: (ms: number) => {
        now = new Date(now.getTime() + ms);
      },
      resolutions: () => resolutions,
    };
  }

  it('reuses the token until a minute before its 15 minutes run out', async () => {
    const s = source(signingDate);
    const first = await s.tokens.token();
    s.advance(13 * 60_000);
    expect(await s.tokens.token()).toBe(first);
    expect(s.resolutions()).toBe(1);
    s.advance(60_000 + 1);
    const second = await s.tokens.token();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20250304T052007Z');
    expect(s.resolutions()).toBe(2);
  });

  it('signs once for concurrent callers', async () => {
    const s = source(signingDate);
    const all = await Promise.all([s.tokens.token(), s.tokens.token(), s.tokens.provider()]);
    expect(new Set(all).size).toBe(1);
    expect(s.resolutions()).toBe(1);
  });

  it('falls back to the SDK default credential chain (here: the environment)', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, profile: process.env.AWS_PROFILE };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    delete process.env.AWS_PROFILE;
    try {
      const tokens = new EksTokenSource({ clusterName: 'prod', region: 'us-east-1', now: () => signingDate });
      const url = decode(await tokens.token());
      expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIDFROMENVIRONMENT/20250304/us-east-1/sts/aws4_request');
      expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod', 'env-secret'));
    } finally {
      for (const [key, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret],
        ['AWS_PROFILE', saved.profile],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('refuses a bad cluster name at construction', () => {
    expect(() => new EksTokenSource({ clusterName: '', region: 'us-east-1' })).toThrow(/clusterName: ""/);
  });
});
