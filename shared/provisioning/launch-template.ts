// The launch template a node class + NodePool launch with: image, security groups, instance
// profile, disks, IMDS settings and the user data that joins the node to the cluster with the
// pool's labels and taints. Pure: the image id and security groups come in resolved.
//
// User data follows what Karpenter writes for each AMI family:
//   al2023        MIME multipart; the user's parts first, then a nodeadm NodeConfig
//   bottlerocket  TOML settings; the user's settings merged, nodewright's cluster fields win
//   al2           MIME multipart; the user's parts first, then a bootstrap.sh script
//   custom        the user's user data, untouched
import { createHash } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_METADATA_OPTIONS } from '../config/nodeclass.ts';
import { InvalidInputError } from '../errors.ts';
import { parseToml, tomlKey, tomlString } from './bottlerocket-toml.ts';
import type { BlockDeviceMapping, CapacityType, ClusterInfo, KubeletConfig, LaunchTemplateSpec, NodeClass, NodePool, Taint } from '../types.ts';

export type ImageFamily = 'al2023' | 'bottlerocket' | 'al2' | 'custom';

export interface LaunchTemplateInput {
  cluster: ClusterInfo;
  nodeClass: NodeClass;
  nodePool: NodePool;
  imageId: string;
  imageFamily: ImageFamily;
  securityGroupIds: string[];
  /** When the template serves one capacity type, nodes get the karpenter.sh/capacity-type label from it. */
  capacityType?: CapacityType;
}

export { NODEPOOL_LABEL } from '../well-known.ts';
import { CLUSTER_NAME_TAG, NODEPOOL_LABEL } from '../well-known.ts';
export const CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
const MIME_BOUNDARY = '//';
const NODEADM_CONTENT_TYPE = 'application/node.eks.aws';
const SHELL_CONTENT_TYPE = 'text/x-shellscript; charset="us-ascii"';

/** Which user data format a node class needs, and the alias to resolve its image with, if any. */
export function imageFamilyOf(nodeClass: NodeClass): { family: ImageFamily; alias?: string } {
  const alias = nodeClass.amiSelectorTerms.find((term) => term.alias !== undefined)?.alias;
  // amiFamily Custom means "my user data, as is", even on an EKS-optimized image.
  if (nodeClass.amiFamily === 'Custom') return alias ? { family: 'custom', alias } : { family: 'custom' };
  if (alias) {
    const family = alias.split('@')[0];
    if (family === 'al2023' || family === 'bottlerocket' || family === 'al2') return { family, alias };
    throw new InvalidInputError(`EC2NodeClass "${nodeClass.name}": unsupported AMI alias ${JSON.stringify(alias)}`);
  }
  switch (nodeClass.amiFamily) {
    case 'AL2023':
      return { family: 'al2023' };
    case 'Bottlerocket':
      return { family: 'bottlerocket' };
    case 'AL2':
      return { family: 'al2' };
    default:
      throw new InvalidInputError(
        `EC2NodeClass "${nodeClass.name}": amiFamily is required when no amiSelectorTerm has an alias`,
      );
  }
}

/** The launch template for this node class and pool; equal inputs give an equal spec and name. */
/**
 * The image family, or undefined when the class names none (it cannot launch; the launch step
 * says why). For estimates made before launch: allocatable, ephemeral storage.
 */
export function knownImageFamily(nodeClass: NodeClass): ImageFamily | undefined {
  try {
    return imageFamilyOf(nodeClass).family;
  } catch {
    return undefined;
  }
}

/** Whether the kubelet of this class's image applies evictionSoft (Bottlerocket does not; Karpenter's EvictionSoftEnabled). */
export function honoursSoftEviction(nodeClass: NodeClass): boolean {
  return knownImageFamily(nodeClass) !== 'bottlerocket';
}

export function launchTemplateSpec(input: LaunchTemplateInput): LaunchTemplateSpec {
  const { nodeClass, nodePool, cluster } = input;
  const labels = nodeLabels(nodePool, input.capacityType);
  const taints = [...nodePool.taints, ...nodePool.startupTaints];
  const content: Omit<LaunchTemplateSpec, 'name'> = {
    imageId: input.imageId,
    securityGroupIds: [...input.securityGroupIds].sort(),
    userData: userDataFor(input.imageFamily, { cluster, nodeClass, labels, taints }),
    blockDeviceMappings:
      nodeClass.blockDeviceMappings.length > 0 ? structuredClone(nodeClass.blockDeviceMappings) : defaultBlockDeviceMappings(input.imageFamily),
    metadataOptions: {
      httpTokens: nodeClass.metadataOptions?.httpTokens ?? DEFAULT_METADATA_OPTIONS.httpTokens,
      httpPutResponseHopLimit: nodeClass.metadataOptions?.httpPutResponseHopLimit ?? DEFAULT_METADATA_OPTIONS.httpPutResponseHopLimit,
    },
    tags: sortedRecord({
      ...nodeClass.tags,
      // Both cluster tags: the launch role may only create resources that carry them.
      [`kubernetes.io/cluster/${cluster.name}`]: 'owned',
      [CLUSTER_NAME_TAG]: cluster.name,
      'karpenter.k8s.aws/ec2nodeclass': nodeClass.name,
      [NODEPOOL_LABEL]: nodePool.name,
    }),
  };
  const instanceProfile = instanceProfileOf(nodeClass);
  if (instanceProfile !== undefined) content.instanceProfile = instanceProfile;
  // Left out when off, so classes that never mention them keep their template names.
  if (nodeClass.detailedMonitoring === true) content.detailedMonitoring = true;
  if (nodeClass.associatePublicIPAddress !== undefined) content.associatePublicIPAddress = nodeClass.associatePublicIPAddress;
  return { name: launchTemplateName(nodeClass.name, content), ...content };
}

/**
 * The instance profile nodes launch with: the class's own, or for a `role` the profile of the
 * same name (what the IAM console and CDK's default create alongside an EC2 role).
 */
export function instanceProfileOf(nodeClass: NodeClass): string | undefined {
  return nodeClass.instanceProfile ?? nodeClass.role;
}

/** `nodewright-<nodeclass>-<16 hex of sha256(content)>`: a changed spec gets a new name. */
export function launchTemplateName(nodeClassName: string, content: Omit<LaunchTemplateSpec, 'name'>): string {
  const digest = createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 16);
  // EC2 allows 128 characters; class names can be 253.
  return `nodewright-${nodeClassName.slice(0, 100)}-${digest}`;
}

/**
 * Karpenter's default disks: a 20Gi encrypted gp3 root volume; Bottlerocket keeps its OS on a
 * small /dev/xvda and containers on /dev/xvdb, so it gets 4Gi + 20Gi.
 */
export function defaultBlockDeviceMappings(family: ImageFamily): BlockDeviceMapping[] {
  const gp3 = (volumeSize: string): BlockDeviceMapping['ebs'] => ({ volumeSize, volumeType: 'gp3', encrypted: true, deleteOnTermination: true });
  if (family === 'bottlerocket') {
    return [
      { deviceName: '/dev/xvda', ebs: gp3('4Gi') },
      { deviceName: '/dev/xvdb', ebs: gp3('20Gi'), rootVolume: true },
    ];
  }
  return [{ deviceName: '/dev/xvda', ebs: gp3('20Gi'), rootVolume: true }];
}

// ---------------------------------------------------------------- labels and taints

function nodeLabels(pool: NodePool, capacityType: CapacityType | undefined): Record<string, string> {
  const labels: Record<string, string> = { ...pool.labels, [NODEPOOL_LABEL]: pool.name };
  if (capacityType) labels[CAPACITY_TYPE_LABEL] = capacityType;
  return sortedRecord(labels);
}

/** `key=value:Effect` (or `key:Effect`), the kubelet's --register-with-taints syntax. */
function taintFlagValue(taint: Taint): string {
  return taint.value === undefined || taint.value === '' ? `${taint.key}:${taint.effect}` : `${taint.key}=${taint.value}:${taint.effect}`;
}

// ---------------------------------------------------------------- user data

interface UserDataContext {
  cluster: ClusterInfo;
  nodeClass: NodeClass;
  labels: Record<string, string>;
  taints: Taint[];
}

function userDataFor(family: ImageFamily, context: UserDataContext): string {
  switch (family) {
    case 'al2023':
      return mimeArchive([...userMimeParts(context.nodeClass), { contentType: NODEADM_CONTENT_TYPE, content: nodeadmConfig(context) }]);
    case 'al2':
      return mimeArchive([...userMimeParts(context.nodeClass), { contentType: SHELL_CONTENT_TYPE, content: bootstrapScript(context) }]);
    case 'bottlerocket':
      return bottlerocketSettings(context);
    case 'custom':
      return context.nodeClass.userData ?? '';
  }
}

function nodeadmConfig({ cluster, nodeClass, labels, taints }: UserDataContext): string {
  if (!cluster.serviceIpv4Cidr) {
    throw new InvalidInputError(`cluster "${cluster.name}": the service IPv4 CIDR is unknown, and nodeadm needs it (spec.cluster.cidr)`);
  }
  const flags = [`--node-labels=${labelFlagValue(labels)}`];
  if (taints.length > 0) flags.push(`--register-with-taints=${taints.map(taintFlagValue).join(',')}`);
  const spec: Record<string, unknown> = {
    cluster: {
      name: cluster.name,
      apiServerEndpoint: cluster.endpoint,
      certificateAuthority: cluster.certificateAuthority,
      cidr: cluster.serviceIpv4Cidr,
    },
    kubelet: { config: kubeletConfiguration(nodeClass.kubelet), flags },
  };
  // nodeadm builds the array from every instance-store NVMe disk and moves kubelet and containerd onto it.
  if (nodeClass.instanceStorePolicy === 'RAID0') spec.instance = { localStorage: { strategy: 'RAID0' } };
  const config = { apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig', spec };
  return `# nodewright generated NodeConfig\n${stringifyYaml(config)}`;
}

/** The class's kubelet settings under their KubeletConfiguration (kubelet.config.k8s.io/v1beta1) names. */
function kubeletConfiguration(kubelet: KubeletConfig): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (kubelet.maxPods !== undefined) config.maxPods = kubelet.maxPods;
  if (kubelet.podsPerCore !== undefined) config.podsPerCore = kubelet.podsPerCore;
  if (kubelet.kubeReserved) config.kubeReserved = sortedRecord(kubelet.kubeReserved);
  if (kubelet.systemReserved) config.systemReserved = sortedRecord(kubelet.systemReserved);
  if (kubelet.evictionHard) config.evictionHard = sortedRecord(kubelet.evictionHard);
  if (kubelet.evictionSoft) config.evictionSoft = sortedRecord(kubelet.evictionSoft);
  if (kubelet.evictionSoftGracePeriod) config.evictionSoftGracePeriod = sortedRecord(kubelet.evictionSoftGracePeriod);
  if (kubelet.evictionMaxPodGracePeriod !== undefined) config.evictionMaxPodGracePeriod = kubelet.evictionMaxPodGracePeriod;
  if (kubelet.imageGCHighThresholdPercent !== undefined) config.imageGCHighThresholdPercent = kubelet.imageGCHighThresholdPercent;
  if (kubelet.imageGCLowThresholdPercent !== undefined) config.imageGCLowThresholdPercent = kubelet.imageGCLowThresholdPercent;
  if (kubelet.cpuCFSQuota !== undefined) config.cpuCFSQuota = kubelet.cpuCFSQuota;
  if (kubelet.clusterDNS) config.clusterDNS = [...kubelet.clusterDNS];
  return config;
}

function bootstrapScript({ cluster, nodeClass, labels, taints }: UserDataContext): string {
  const kubelet = nodeClass.kubelet;
  const kubeletArgs = [`--node-labels=${labelFlagValue(labels)}`];
  if (taints.length > 0) kubeletArgs.push(`--register-with-taints=${taints.map(taintFlagValue).join(',')}`);
  if (kubelet.maxPods !== undefined) kubeletArgs.push(`--max-pods=${kubelet.maxPods}`);
  if (kubelet.podsPerCore !== undefined) kubeletArgs.push(`--pods-per-core=${kubelet.podsPerCore}`);
  if (kubelet.kubeReserved) kubeletArgs.push(`--kube-reserved=${pairs(kubelet.kubeReserved, '=')}`);
  if (kubelet.systemReserved) kubeletArgs.push(`--system-reserved=${pairs(kubelet.systemReserved, '=')}`);
  if (kubelet.evictionHard) kubeletArgs.push(`--eviction-hard=${pairs(kubelet.evictionHard, '<')}`);
  if (kubelet.evictionSoft) kubeletArgs.push(`--eviction-soft=${pairs(kubelet.evictionSoft, '<')}`);
  if (kubelet.evictionSoftGracePeriod) kubeletArgs.push(`--eviction-soft-grace-period=${pairs(kubelet.evictionSoftGracePeriod, '=')}`);
  if (kubelet.evictionMaxPodGracePeriod !== undefined) kubeletArgs.push(`--eviction-max-pod-grace-period=${kubelet.evictionMaxPodGracePeriod}`);
  if (kubelet.imageGCHighThresholdPercent !== undefined) kubeletArgs.push(`--image-gc-high-threshold=${kubelet.imageGCHighThresholdPercent}`);
  if (kubelet.imageGCLowThresholdPercent !== undefined) kubeletArgs.push(`--image-gc-low-threshold=${kubelet.imageGCLowThresholdPercent}`);
  if (kubelet.cpuCFSQuota !== undefined) kubeletArgs.push(`--cpu-cfs-quota=${kubelet.cpuCFSQuota}`);
  const args = [
    `/etc/eks/bootstrap.sh ${shellQuote(cluster.name)}`,
    `--apiserver-endpoint ${shellQuote(cluster.endpoint)}`,
    `--b64-cluster-ca ${shellQuote(cluster.certificateAuthority)}`,
  ];
  const dns = kubelet.clusterDNS?.[0];
  if (dns) args.push(`--dns-cluster-ip ${shellQuote(dns)}`);
  // bootstrap.sh would otherwise compute max pods itself and override the kubelet flag.
  if (kubelet.maxPods !== undefined) args.push('--use-max-pods false');
  args.push(`--kubelet-extra-args ${shellQuote(kubeletArgs.join(' '))}`);
  // bootstrap.sh's setup-local-disks stripes the instance-store disks and mounts kubelet and containerd state there.
  if (nodeClass.instanceStorePolicy === 'RAID0') args.push('--local-disks raid0');
  return ['#!/bin/bash -xe', 'exec > >(tee /var/log/user-data.log|logger -t user-data -s 2>/dev/console) 2>&1', args.join(' \\\n'), ''].join('\n');
}

function bottlerocketSettings({ cluster, nodeClass, labels, taints }: UserDataContext): string {
  const kubelet = nodeClass.kubelet;
  if (kubelet.podsPerCore !== undefined) {
    throw new InvalidInputError(
      `EC2NodeClass "${nodeClass.name}": kubelet.podsPerCore has no Bottlerocket setting; set kubelet.maxPods instead`,
    );
  }
  const document = parseToml(nodeClass.userData ?? '', nodeClass.name);
  const kubernetes = document.table('settings.kubernetes');
  kubernetes.set('api-server', tomlString(cluster.endpoint));
  kubernetes.set('cluster-certificate', tomlString(cluster.certificateAuthority));
  kubernetes.set('cluster-name', tomlString(cluster.name));
  const dns = kubelet.clusterDNS?.[0];
  if (dns) kubernetes.set('cluster-dns-ip', tomlString(dns));
  if (kubelet.maxPods !== undefined) kubernetes.set('max-pods', String(kubelet.maxPods));
  // The user's own labels stay unless the pool sets the same key; taints are the pool's alone.
  const nodeLabelsTable = document.table('settings.kubernetes.node-labels');
  for (const [key, value] of Object.entries(labels)) nodeLabelsTable.set(tomlKey(key), tomlString(value));
  document.remove('settings.kubernetes.node-taints');
  if (taints.length > 0) {
    const byKey = new Map<string, string[]>();
    for (const taint of taints) byKey.set(taint.key, [...(byKey.get(taint.key) ?? []), `${taint.value ?? ''}:${taint.effect}`]);
    const taintTable = document.table('settings.kubernetes.node-taints');
    for (const [key, values] of byKey) taintTable.set(tomlKey(key), `[${values.map(tomlString).join(', ')}]`);
  }
  if (kubelet.evictionMaxPodGracePeriod !== undefined) kubernetes.set('eviction-max-pod-grace-period', String(kubelet.evictionMaxPodGracePeriod));
  // Bottlerocket models the image GC percents as strings, as Karpenter writes them.
  if (kubelet.imageGCHighThresholdPercent !== undefined) {
    kubernetes.set('image-gc-high-threshold-percent', tomlString(String(kubelet.imageGCHighThresholdPercent)));
  }
  if (kubelet.imageGCLowThresholdPercent !== undefined) {
    kubernetes.set('image-gc-low-threshold-percent', tomlString(String(kubelet.imageGCLowThresholdPercent)));
  }
  if (kubelet.cpuCFSQuota !== undefined) kubernetes.set('cpu-cfs-quota-enforced', String(kubelet.cpuCFSQuota));
  const maps: Array<[string, Record<string, string> | undefined]> = [
    ['kube-reserved', kubelet.kubeReserved],
    ['system-reserved', kubelet.systemReserved],
    ['eviction-hard', kubelet.evictionHard],
    ['eviction-soft', kubelet.evictionSoft],
    ['eviction-soft-grace-period', kubelet.evictionSoftGracePeriod],
  ];
  for (const [name, map] of maps) {
    if (!map) continue;
    const table = document.table(`settings.kubernetes.${name}`);
    for (const [key, value] of Object.entries(sortedRecord(map))) table.set(tomlKey(key), tomlString(value));
  }
  if (nodeClass.instanceStorePolicy === 'RAID0') {
    // What Karpenter writes: a bootstrap command (Bottlerocket 1.22+) that builds the array from the
    // instance-store disks and binds containerd, kubelet and pod log state onto it, on every boot.
    const command = document.table(`settings.bootstrap-commands.${INSTANCE_STORE_BOOTSTRAP_COMMAND}`);
    const argv = (...words: string[]) => `[${words.map(tomlString).join(', ')}]`;
    command.set(
      'commands',
      `[${argv('apiclient', 'ephemeral-storage', 'init')}, ${argv('apiclient', 'ephemeral-storage', 'bind', '--dirs', ...INSTANCE_STORE_DIRS)}]`,
    );
    command.set('mode', tomlString('always'));
    command.set('essential', 'true');
  }
  return document.render();
}

const INSTANCE_STORE_BOOTSTRAP_COMMAND = '000-mount-instance-storage';
const INSTANCE_STORE_DIRS = ['/var/lib/containerd', '/var/lib/kubelet', '/var/log/pods'];

// ---------------------------------------------------------------- MIME multipart

interface MimePart {
  contentType: string;
  content: string;
}

/** The user's user data as MIME parts: parts of an archive, or one NodeConfig or shell script. */
function userMimeParts(nodeClass: NodeClass): MimePart[] {
  const userData = nodeClass.userData?.replace(/\r\n/g, '\n');
  if (!userData || userData.trim() === '') return [];
  const trimmed = userData.trimStart();
  if (trimmed.startsWith('MIME-Version:') || trimmed.startsWith('Content-Type:')) return parseMimeArchive(trimmed, nodeClass.name);
  if (trimmed.startsWith('#!')) return [{ contentType: SHELL_CONTENT_TYPE, content: userData }];
  let parsed: unknown;
  try {
    parsed = parseYaml(userData);
  } catch {
    parsed = undefined;
  }
  const isMapping = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  return [{ contentType: isMapping ? NODEADM_CONTENT_TYPE : SHELL_CONTENT_TYPE, content: userData }];
}

function parseMimeArchive(text: string, nodeClassName: string): MimePart[] {
  const fail = (why: string): never => {
    throw new InvalidInputError(`EC2NodeClass "${nodeClassName}" userData: invalid MIME multipart archive: ${why}`);
  };
  const headerEnd = text.indexOf('\n\n');
  if (headerEnd === -1) fail('no blank line after the headers');
  const boundary = /boundary="?([^";\n]+)"?/i.exec(text.slice(0, headerEnd))?.[1];
  if (!boundary) fail('the Content-Type header names no boundary');
  const body = text.slice(headerEnd + 2);
  const chunks = body.split(new RegExp(`^--${escapeRegExp(boundary!)}(?:--)?[ \\t]*$`, 'm'));
  // chunks[0] is the preamble, the last one the epilogue after the closing delimiter.
  const parts: MimePart[] = [];
  for (const chunk of chunks.slice(1, -1)) {
    const part = chunk.replace(/^\n/, '');
    const partHeaderEnd = part.indexOf('\n\n');
    if (partHeaderEnd === -1) fail('a part has no blank line after its headers');
    const contentType = /^Content-Type:\s*(.+)$/im.exec(part.slice(0, partHeaderEnd))?.[1]?.trim();
    if (!contentType) fail('a part has no Content-Type header');
    parts.push({ contentType: contentType!, content: part.slice(partHeaderEnd + 2).replace(/\n$/, '') });
  }
  if (parts.length === 0) fail(`no parts delimited by --${boundary}`);
  return parts;
}

function mimeArchive(parts: MimePart[]): string {
  const lines = ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`, ''];
  for (const part of parts) {
    lines.push(`--${MIME_BOUNDARY}`, `Content-Type: ${part.contentType}`, '', part.content.replace(/\n$/, ''));
  }
  lines.push(`--${MIME_BOUNDARY}--`, '');
  return lines.join('\n');
}

// ---------------------------------------------------------------- small helpers

function labelFlagValue(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function pairs(map: Record<string, string>, separator: string): string {
  return Object.entries(sortedRecord(map))
    .map(([key, value]) => `${key}${separator}${value}`)
    .join(',');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}


function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** JSON with object keys sorted at every depth, so equal content always hashes alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
