// Karpenter's AMI aliases (`al2023@latest`, `bottlerocket@v1.20.0`, `al2@v20240807`) as the names
// of the public SSM parameters that hold the image id. The paths follow the EKS and Bottlerocket
// documentation and Karpenter's AMI families.

import { InvalidInputError } from '../errors.ts';

export type AliasFamily = 'al2023' | 'al2' | 'bottlerocket';

export interface ImageAlias {
  family: AliasFamily;
  /** `latest`, or a release version as written after the `@`. */
  version: string;
}

const FAMILIES: ReadonlySet<string> = new Set<AliasFamily>(['al2023', 'al2', 'bottlerocket']);
const KUBERNETES_VERSION = /^\d+\.\d+$/;
const RELEASE_VERSION = /^v?[0-9][0-9A-Za-z.\-]*$/;

/** Node architectures (as Kubernetes names them) to the names the SSM paths use. */
const SSM_ARCH: Record<string, 'x86_64' | 'arm64'> = { amd64: 'x86_64', arm64: 'arm64' };

export function parseImageAlias(alias: string): ImageAlias {
  const [family, version, ...rest] = alias.trim().split('@');
  if (!family || !FAMILIES.has(family) || version === undefined || rest.length > 0) {
    throw new InvalidInputError(
      `amiSelectorTerms alias ${JSON.stringify(alias)} is not <family>@<version> with family al2023, al2 or bottlerocket`,
    );
  }
  if (version !== 'latest' && !RELEASE_VERSION.test(version)) {
    throw new InvalidInputError(`amiSelectorTerms alias ${JSON.stringify(alias)} has version ${JSON.stringify(version)}; expected latest or a release such as v20240807`);
  }
  return { family: family as AliasFamily, version };
}

/** The SSM parameter holding the image id of `alias` for this Kubernetes version and architecture. */
export function imageAliasParameterName(alias: string, kubernetesVersion: string, arch: string): string {
  const { family, version } = parseImageAlias(alias);
  if (!KUBERNETES_VERSION.test(kubernetesVersion)) {
    throw new InvalidInputError(`kubernetesVersion ${JSON.stringify(kubernetesVersion)} is not <major>.<minor> such as 1.31`);
  }
  const ssmArch = SSM_ARCH[arch];
  if (!ssmArch) throw new InvalidInputError(`arch ${JSON.stringify(arch)} is not amd64 or arm64`);
  const latest = version === 'latest';
  const k8s = kubernetesVersion;
  switch (family) {
    case 'al2023': {
      const leaf = latest ? 'recommended' : `amazon-eks-node-al2023-${ssmArch}-standard-${k8s}-${version}`;
      return `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/${ssmArch}/standard/${leaf}/image_id`;
    }
    case 'al2': {
      const variant = ssmArch === 'arm64' ? 'amazon-linux-2-arm64' : 'amazon-linux-2';
      const release = ssmArch === 'arm64' ? `amazon-eks-arm64-node-${k8s}-${version}` : `amazon-eks-node-${k8s}-${version}`;
      return `/aws/service/eks/optimized-ami/${k8s}/${variant}/${latest ? 'recommended' : release}/image_id`;
    }
    case 'bottlerocket':
      // Bottlerocket releases are tagged v1.20.0 on GitHub but the SSM path has no `v`.
      return `/aws/service/bottlerocket/aws-k8s-${k8s}/${ssmArch}/${latest ? 'latest' : version.replace(/^v/, '')}/image_id`;
  }
}
