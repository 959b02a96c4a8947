// EC2NodeClass (karpenter.k8s.aws/v1) manifests -> the domain NodeClass, with the CRD's defaults
// filled. The rules follow the v1 CRD's validations; fields nodewright cannot honour are refused.
import { z } from 'zod';
import type { BlockDeviceMapping, KubeletConfig, NodeClass, SelectorTerm } from '../types.ts';
import { objectMeta, quantityValue, stringMap, unsupported } from './common-schema.ts';
import type { PathSegment } from './problems.ts';
import { isQuantity } from './quantity.ts';

export const NODECLASS_API_VERSION = 'karpenter.k8s.aws/v1';
/** Karpenter's IMDS defaults: IMDSv2 only, and a hop limit that keeps pods off the node's credentials. */
export const DEFAULT_METADATA_OPTIONS = { httpTokens: 'required', httpPutResponseHopLimit: 1 } as const;

/** Alias families nodewright writes user data for. */
export const ALIAS_FAMILIES = ['al2023', 'bottlerocket', 'al2'] as const;
export type AliasFamily = (typeof ALIAS_FAMILIES)[number];
const AMI_FAMILY_OF_ALIAS: Record<AliasFamily, NonNullable<NodeClass['amiFamily']>> = {
  al2023: 'AL2023',
  bottlerocket: 'Bottlerocket',
  al2: 'AL2',
};

const WINDOWS = 'Windows nodes (nodewright writes Linux user data only)';

const tagSelector = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  const entries = Object.entries(tags);
  if (entries.length > 20) ctx.addIssue({ code: 'custom', message: 'may hold at most 20 tags' });
  for (const [key, value] of entries) {
    if (key === '' || value === '') ctx.addIssue({ code: 'custom', path: [key], message: "empty tag keys or values aren't supported" });
  }
});

/** `family@version`, such as al2023@latest, al2023@v20240625 or bottlerocket@v1.20.0. */
export function aliasProblem(alias: string): string | undefined {
  const match = /^([a-zA-Z0-9]*)@(.*)$/.exec(alias);
  if (!match) return "must have the form 'family@version', such as al2023@latest";
  const [, family, version] = match;
  if (family === 'windows2019' || family === 'windows2022') return `not supported by nodewright: ${WINDOWS}`;
  if (!(ALIAS_FAMILIES as readonly string[]).includes(family!)) return `family must be one of ${ALIAS_FAMILIES.join(', ')}`;
  if (!/^(latest|v[0-9][0-9A-Za-z.\-]*)$/.test(version!)) return 'version must be latest or a release such as v20240625 or v1.20.0';
  return undefined;
}

const amiTermSchema = z
  .strictObject({
    alias: z.string().max(30).optional(),
    id: z.string().regex(/^ami-[0-9a-z]+$/, { message: 'must be an AMI id such as ami-0123456789abcdef0' }).optional(),
    name: z.string().min(1).optional(),
    owner: z.string().min(1).optional(),
    tags: tagSelector.optional(),
  })
  .superRefine((term, ctx) => {
    const set = (['alias', 'id', 'name', 'tags'] as const).filter((k) => term[k] !== undefined);
    if (set.length === 0) ctx.addIssue({ code: 'custom', message: 'needs one of alias, id, name or tags' });
    if (term.alias !== undefined) {
      const problem = aliasProblem(term.alias);
      if (problem) ctx.addIssue({ code: 'custom', path: ['alias'], message: problem });
      if (set.length > 1 || term.owner !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['alias'], message: "'alias' cannot be combined with other fields in the same term" });
      }
    }
    if (term.id !== undefined && term.alias === undefined && (set.length > 1 || term.owner !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: "'id' cannot be combined with other fields in the same term" });
    }
  });

const subnetTermSchema = z
  .strictObject({
    id: z.string().regex(/^subnet-[0-9a-z]+$/, { message: 'must be a subnet id such as subnet-0123456789abcdef0' }).optional(),
    tags: tagSelector.optional(),
  })
  .superRefine((term, ctx) => {
    if (term.id === undefined && term.tags === undefined) ctx.addIssue({ code: 'custom', message: 'needs one of id or tags' });
    if (term.id !== undefined && term.tags !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: "'id' cannot be combined with 'tags' in the same term" });
    }
  });

const securityGroupTermSchema = z
  .strictObject({
    id: z.string().regex(/^sg-[0-9a-z]+$/, { message: 'must be a security group id such as sg-0123456789abcdef0' }).optional(),
    name: z.string().min(1).optional(),
    tags: tagSelector.optional(),
  })
  .superRefine((term, ctx) => {
    const set = (['id', 'name', 'tags'] as const).filter((k) => term[k] !== undefined);
    if (set.length === 0) ctx.addIssue({ code: 'custom', message: 'needs one of id, name or tags' });
    if (set.length > 1 && term.id !== undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: "'id' cannot be combined with other fields in the same term" });
    else if (set.length > 1 && term.name !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: "'name' cannot be combined with other fields in the same term" });
  });

function reservedResources(field: string) {
  return z.record(z.string(), quantityValue).superRefine((resources, ctx) => {
    for (const [key, value] of Object.entries(resources)) {
      if (!['cpu', 'memory', 'ephemeral-storage', 'pid'].includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `valid keys for ${field} are cpu, memory, ephemeral-storage, pid` });
      } else if (!isQuantity(value) || String(value).trim().startsWith('-')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be a non-negative quantity such as 100m or 1Gi' });
      }
    }
  });
}

/** The kubelet's eviction signals Karpenter's CRD accepts as keys of the eviction maps. */
const EVICTION_SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];
const PERCENT = /^(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)%$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;
const INT32_MAX = 2_147_483_647;

function signalKeysProblem(field: string, signal: string): string | undefined {
  return EVICTION_SIGNALS.includes(signal) ? undefined : `valid keys for ${field} are ${EVICTION_SIGNALS.join(', ')}`;
}

/** evictionHard and evictionSoft: signal -> a percentage or a quantity of what is left. */
function evictionThresholds(field: string) {
  return stringMap.superRefine((thresholds, ctx) => {
    for (const [signal, value] of Object.entries(thresholds)) {
      const keyProblem = signalKeysProblem(field, signal);
      if (keyProblem) ctx.addIssue({ code: 'custom', path: [signal], message: keyProblem });
      else if (!PERCENT.test(value) && !isQuantity(value)) {
        ctx.addIssue({ code: 'custom', path: [signal], message: 'must be a percentage such as 10% or a quantity such as 500Mi' });
      }
    }
  });
}

const evictionGracePeriods = stringMap.superRefine((periods, ctx) => {
  for (const [signal, value] of Object.entries(periods)) {
    const keyProblem = signalKeysProblem('evictionSoftGracePeriod', signal);
    if (keyProblem) ctx.addIssue({ code: 'custom', path: [signal], message: keyProblem });
    else if (goDurationNanos(value) === undefined) {
      ctx.addIssue({ code: 'custom', path: [signal], message: 'must be a non-negative duration such as 30s, 1m30s or 2h' });
    }
  }
});

const percent0to100 = z.number().int().min(0).max(100);

const kubeletSchema = z.strictObject({
  maxPods: z.number().int().min(0).optional(),
  podsPerCore: z.number().int().min(0).optional(),
  kubeReserved: reservedResources('kubeReserved').optional(),
  systemReserved: reservedResources('systemReserved').optional(),
  evictionHard: evictionThresholds('evictionHard').optional(),
  evictionSoft: evictionThresholds('evictionSoft').optional(),
  evictionSoftGracePeriod: evictionGracePeriods.optional(),
  evictionMaxPodGracePeriod: z.number().int().min(-INT32_MAX - 1).max(INT32_MAX).optional(),
  imageGCHighThresholdPercent: percent0to100.optional(),
  imageGCLowThresholdPercent: percent0to100.optional(),
  cpuCFSQuota: z.boolean().optional(),
  clusterDNS: z.array(z.string().refine((ip) => IPV4.test(ip) || IPV6.test(ip), { message: 'must be an IP address' })).optional(),
});

const blockDeviceMappingSchema = z.strictObject({
  deviceName: z.string().min(1),
  ebs: z.strictObject({
    volumeSize: z.string().regex(/^[1-9][0-9]*(Gi|G|Ti|T)$/, { message: 'must be a size in Gi, G, Ti or T such as 20Gi' }).optional(),
    volumeType: z.enum(['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3']).optional(),
    iops: z.number().int().min(0).optional(),
    throughput: z.number().int().min(125).max(1000).optional(),
    encrypted: z.boolean().optional(),
    kmsKeyID: z.string().min(1).optional(),
    deleteOnTermination: z.boolean().optional(),
    snapshotID: z.string().regex(/^snap-[0-9a-z]+$/, { message: 'must be an EBS snapshot id such as snap-0123456789abcdef0' }).optional(),
  }),
  rootVolume: z.boolean().optional(),
});

const RESTRICTED_TAGS = ['karpenter.sh/nodepool', 'karpenter.sh/managed-by', 'karpenter.sh/nodeclaim', 'karpenter.k8s.aws/ec2nodeclass'];

const nodeClassTags = stringMap.superRefine((tags, ctx) => {
  for (const key of Object.keys(tags)) {
    if (key === '') ctx.addIssue({ code: 'custom', path: [key], message: "empty tag keys aren't supported" });
    else if (key.startsWith('kubernetes.io/cluster')) ctx.addIssue({ code: 'custom', path: [key], message: 'tag keys starting with kubernetes.io/cluster are restricted' });
    else if (RESTRICTED_TAGS.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: `tag "${key}" is restricted: nodewright sets it` });
  }
});

const nodeClassSchema = z.strictObject({
  apiVersion: z.literal(NODECLASS_API_VERSION),
  kind: z.literal('EC2NodeClass'),
  metadata: objectMeta,
  spec: z.strictObject({
    amiFamily: z
      .string()
      .superRefine((family, ctx) => {
        if (family === 'Windows2019' || family === 'Windows2022') ctx.addIssue({ code: 'custom', message: `not supported by nodewright: ${WINDOWS}` });
        else if (!['AL2', 'AL2023', 'Bottlerocket', 'Custom'].includes(family)) ctx.addIssue({ code: 'custom', message: 'must be one of AL2, AL2023, Bottlerocket, Custom' });
      })
      .optional(),
    amiSelectorTerms: z.array(amiTermSchema).min(1).max(30),
    subnetSelectorTerms: z.array(subnetTermSchema).min(1).max(30),
    securityGroupSelectorTerms: z.array(securityGroupTermSchema).min(1).max(30),
    role: z.string().min(1).optional(),
    instanceProfile: z.string().min(1).optional(),
    kubelet: kubeletSchema.optional(),
    blockDeviceMappings: z.array(blockDeviceMappingSchema).max(50).optional(),
    tags: nodeClassTags.optional(),
    userData: z.string().optional(),
    metadataOptions: z
      .strictObject({
        httpTokens: z.enum(['required', 'optional']).optional(),
        httpPutResponseHopLimit: z.number().int().min(1).max(64).optional(),
        httpEndpoint: z.literal('enabled', { error: 'only "enabled" is supported by nodewright: nodes need the instance metadata service' }).optional(),
        httpProtocolIPv6: z.literal('disabled', { error: 'only "disabled" is supported by nodewright' }).optional(),
      })
      .optional(),
    detailedMonitoring: z.boolean().optional(),
    associatePublicIPAddress: z.boolean().optional(),
    instanceStorePolicy: z.literal('RAID0', { error: 'must be RAID0, the only instance store policy Karpenter defines' }).optional(),
    // EC2 reserves Fleet's Context for AWS-arranged capacity; nodewright's fleet requests never send it.
    context: unsupported('the EC2 Fleet context field (reserved by EC2; nodewright does not send it)'),
    // Reserved capacity needs the karpenter.sh/capacity-type "reserved" offerings nodewright does not plan.
    capacityReservationSelectorTerms: unsupported('capacity reservations (nodewright plans spot and on-demand capacity only)'),
  }),
  status: z.unknown().optional(),
});

export type NodeClassManifest = z.infer<typeof nodeClassSchema>;

export function validateNodeClass(raw: unknown): ReturnType<typeof nodeClassSchema.safeParse> {
  return nodeClassSchema.safeParse(raw);
}

/**
 * Rules spanning several fields, checked on the raw manifest so they are reported even when
 * other fields of the same spec are wrong (zod skips object-level checks after a field fails).
 */
export function nodeClassCrossFieldProblems(raw: unknown): Array<{ path: PathSegment[]; message: string; value?: unknown }> {
  const problems: Array<{ path: PathSegment[]; message: string; value?: unknown }> = [];
  const spec = isRecord(raw) && isRecord(raw.spec) ? raw.spec : undefined;
  if (!spec) return problems;
  const hasRole = spec.role !== undefined;
  const hasProfile = spec.instanceProfile !== undefined;
  if (hasRole === hasProfile) {
    problems.push({
      path: ['spec'],
      message: hasRole ? "set only one of 'role' and 'instanceProfile'" : "must specify exactly one of 'role' or 'instanceProfile'",
    });
  }
  const terms = Array.isArray(spec.amiSelectorTerms) ? spec.amiSelectorTerms.filter(isRecord) : [];
  const aliases = terms.map((t) => t.alias).filter((a): a is string => typeof a === 'string');
  if (aliases.length > 0 && terms.length > 1) {
    problems.push({ path: ['spec', 'amiSelectorTerms'], message: "a term with 'alias' must be the only amiSelectorTerm" });
  }
  const family = spec.amiFamily;
  const aliasFamily = aliases[0]?.split('@')[0];
  if (aliases.length === 0 && family === undefined && terms.length > 0) {
    problems.push({ path: ['spec', 'amiFamily'], message: 'required when no amiSelectorTerm has an alias (one of AL2, AL2023, Bottlerocket, Custom)' });
  }
  if (aliasFamily && typeof family === 'string' && aliasFamily in AMI_FAMILY_OF_ALIAS) {
    const expected = AMI_FAMILY_OF_ALIAS[aliasFamily as AliasFamily];
    if (family !== expected && family !== 'Custom') {
      problems.push({ path: ['spec', 'amiFamily'], message: `must be ${expected} or Custom with the ${aliasFamily} alias`, value: family });
    }
  }
  const devices = Array.isArray(spec.blockDeviceMappings) ? spec.blockDeviceMappings : [];
  if (devices.filter((d) => isRecord(d) && d.rootVolume === true).length > 1) {
    problems.push({ path: ['spec', 'blockDeviceMappings'], message: 'at most one mapping may have rootVolume: true' });
  }
  devices.forEach((device, index) => {
    const ebs = isRecord(device) ? device.ebs : undefined;
    if (isRecord(ebs) && ebs.volumeSize === undefined && ebs.snapshotID === undefined) {
      problems.push({ path: ['spec', 'blockDeviceMappings', index, 'ebs'], message: 'needs volumeSize or snapshotID', value: ebs });
    }
  });
  if (isRecord(spec.kubelet)) problems.push(...kubeletCrossFieldProblems(spec.kubelet));
  return problems;
}

/** The kubelet's defaults for image garbage collection, which apply to whichever threshold is left out. */
const KUBELET_IMAGE_GC_HIGH_DEFAULT = 85;
const KUBELET_IMAGE_GC_LOW_DEFAULT = 80;

/**
 * Karpenter's CRD rules across kubelet fields (soft thresholds and grace periods come in pairs;
 * low < high), plus the kubelet's own check of one threshold against the other's default,
 * which would otherwise stop the kubelet from starting on every node of the class.
 */
function kubeletCrossFieldProblems(kubelet: Record<string, unknown>): Array<{ path: PathSegment[]; message: string; value?: unknown }> {
  const problems: Array<{ path: PathSegment[]; message: string; value?: unknown }> = [];
  const at = (...rest: PathSegment[]): PathSegment[] => ['spec', 'kubelet', ...rest];
  const soft = isRecord(kubelet.evictionSoft) ? kubelet.evictionSoft : {};
  const grace = isRecord(kubelet.evictionSoftGracePeriod) ? kubelet.evictionSoftGracePeriod : {};
  for (const [signal, value] of Object.entries(soft)) {
    if (!(signal in grace)) {
      problems.push({ path: at('evictionSoft', signal), message: `has no grace period: add ${JSON.stringify(signal)} to evictionSoftGracePeriod`, value });
    }
  }
  for (const [signal, value] of Object.entries(grace)) {
    if (!(signal in soft)) {
      problems.push({ path: at('evictionSoftGracePeriod', signal), message: `has no threshold: add ${JSON.stringify(signal)} to evictionSoft`, value });
    }
  }
  const percent = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100 ? value : undefined;
  const high = percent(kubelet.imageGCHighThresholdPercent);
  const low = percent(kubelet.imageGCLowThresholdPercent);
  const highSet = kubelet.imageGCHighThresholdPercent !== undefined;
  const lowSet = kubelet.imageGCLowThresholdPercent !== undefined;
  if (high !== undefined && low !== undefined && low >= high) {
    problems.push({ path: at('imageGCLowThresholdPercent'), message: `must be less than imageGCHighThresholdPercent (${high})`, value: low });
  } else if (high !== undefined && !lowSet && high <= KUBELET_IMAGE_GC_LOW_DEFAULT) {
    problems.push({
      path: at('imageGCHighThresholdPercent'),
      message: `must be above ${KUBELET_IMAGE_GC_LOW_DEFAULT}, the kubelet's default imageGCLowThresholdPercent, or set imageGCLowThresholdPercent below it`,
      value: high,
    });
  } else if (low !== undefined && !highSet && low >= KUBELET_IMAGE_GC_HIGH_DEFAULT) {
    problems.push({
      path: at('imageGCLowThresholdPercent'),
      message: `must be below ${KUBELET_IMAGE_GC_HIGH_DEFAULT}, the kubelet's default imageGCHighThresholdPercent, or set imageGCHighThresholdPercent above it`,
      value: low,
    });
  }
  return problems;
}

/** The domain NodeClass for a manifest that passed validation. */
export function toNodeClass(manifest: NodeClassManifest): NodeClass {
  const { spec } = manifest;
  const nodeClass: NodeClass = {
    name: manifest.metadata.name,
    amiSelectorTerms: spec.amiSelectorTerms.map(toTerm),
    subnetSelectorTerms: spec.subnetSelectorTerms.map(toTerm),
    securityGroupSelectorTerms: spec.securityGroupSelectorTerms.map(toTerm),
    kubelet: toKubelet(spec.kubelet),
    blockDeviceMappings: (spec.blockDeviceMappings ?? []).map(toBlockDeviceMapping),
    tags: { ...(spec.tags ?? {}) },
    metadataOptions: {
      httpTokens: spec.metadataOptions?.httpTokens ?? DEFAULT_METADATA_OPTIONS.httpTokens,
      httpPutResponseHopLimit: spec.metadataOptions?.httpPutResponseHopLimit ?? DEFAULT_METADATA_OPTIONS.httpPutResponseHopLimit,
    },
  };
  if (spec.amiFamily !== undefined) nodeClass.amiFamily = spec.amiFamily as NonNullable<NodeClass['amiFamily']>;
  if (spec.role !== undefined) nodeClass.role = spec.role;
  if (spec.instanceProfile !== undefined) nodeClass.instanceProfile = spec.instanceProfile;
  if (spec.userData !== undefined) nodeClass.userData = spec.userData;
  if (spec.detailedMonitoring !== undefined) nodeClass.detailedMonitoring = spec.detailedMonitoring;
  if (spec.associatePublicIPAddress !== undefined) nodeClass.associatePublicIPAddress = spec.associatePublicIPAddress;
  if (spec.instanceStorePolicy !== undefined) nodeClass.instanceStorePolicy = spec.instanceStorePolicy;
  return nodeClass;
}

function toTerm(term: { alias?: string; id?: string; name?: string; owner?: string; tags?: Record<string, string> }): SelectorTerm {
  const out: SelectorTerm = {};
  if (term.alias !== undefined) out.alias = term.alias;
  if (term.id !== undefined) out.id = term.id;
  if (term.name !== undefined) out.name = term.name;
  if (term.owner !== undefined) out.owner = term.owner;
  if (term.tags !== undefined) out.tags = { ...term.tags };
  return out;
}

function toKubelet(kubelet: NodeClassManifest['spec']['kubelet']): KubeletConfig {
  const out: KubeletConfig = {};
  if (!kubelet) return out;
  if (kubelet.maxPods !== undefined) out.maxPods = kubelet.maxPods;
  if (kubelet.podsPerCore !== undefined) out.podsPerCore = kubelet.podsPerCore;
  if (kubelet.kubeReserved !== undefined) out.kubeReserved = stringValues(kubelet.kubeReserved);
  if (kubelet.systemReserved !== undefined) out.systemReserved = stringValues(kubelet.systemReserved);
  if (kubelet.evictionHard !== undefined) out.evictionHard = { ...kubelet.evictionHard };
  if (kubelet.clusterDNS !== undefined) out.clusterDNS = [...kubelet.clusterDNS];
  if (kubelet.evictionSoft !== undefined) out.evictionSoft = { ...kubelet.evictionSoft };
  if (kubelet.evictionSoftGracePeriod !== undefined) {
    // Written the way Karpenter hands them to every AMI family: Go's canonical form (1m -> 1m0s).
    out.evictionSoftGracePeriod = Object.fromEntries(
      Object.entries(kubelet.evictionSoftGracePeriod).map(([signal, text]) => [signal, formatGoDuration(goDurationNanos(text)!)]),
    );
  }
  if (kubelet.evictionMaxPodGracePeriod !== undefined) out.evictionMaxPodGracePeriod = kubelet.evictionMaxPodGracePeriod;
  if (kubelet.imageGCHighThresholdPercent !== undefined) out.imageGCHighThresholdPercent = kubelet.imageGCHighThresholdPercent;
  if (kubelet.imageGCLowThresholdPercent !== undefined) out.imageGCLowThresholdPercent = kubelet.imageGCLowThresholdPercent;
  if (kubelet.cpuCFSQuota !== undefined) out.cpuCFSQuota = kubelet.cpuCFSQuota;
  return out;
}

function toBlockDeviceMapping(mapping: z.infer<typeof blockDeviceMappingSchema>): BlockDeviceMapping {
  const out: BlockDeviceMapping = { deviceName: mapping.deviceName, ebs: { ...mapping.ebs } };
  if (mapping.rootVolume !== undefined) out.rootVolume = mapping.rootVolume;
  return out;
}

function stringValues(map: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, String(v)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------- Go durations

// metav1.Duration fields (evictionSoftGracePeriod) take Go's time.ParseDuration syntax.
const GO_DURATION = /^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;
const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Nanoseconds in a non-negative Go duration such as `1m30s`, `1.5h` or `0`; undefined when it is not one. */
export function goDurationNanos(text: string): bigint | undefined {
  const body = text.startsWith('+') ? text.slice(1) : text;
  if (body === '0') return 0n;
  if (!GO_DURATION.test(body)) return undefined;
  let total = 0n;
  for (const [, amount, unit] of body.matchAll(GO_DURATION_PART)) {
    const [whole = '', fraction = ''] = amount!.split('.');
    const scale = NANOS_PER_UNIT[unit!]!;
    total += BigInt(whole || '0') * scale;
    if (fraction !== '') total += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  }
  return total;
}

/** Go's time.Duration.String(): `1m0s`, `1h30m0s`, `1.5s`, `500ms`. */
export function formatGoDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  if (nanos < 1_000n) return `${nanos}ns`;
  if (nanos < 1_000_000n) return `${decimal(nanos, 1_000n)}\u00b5s`;
  if (nanos < 1_000_000_000n) return `${decimal(nanos, 1_000_000n)}ms`;
  const hours = nanos / NANOS_PER_UNIT.h!;
  const minutes = (nanos / NANOS_PER_UNIT.m!) % 60n;
  const seconds = `${decimal(nanos % NANOS_PER_UNIT.m!, NANOS_PER_UNIT.s!)}s`;
  if (hours > 0n) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${minutes}m${seconds}`;
  return seconds;
}

/** `value / unit` written with only the fraction digits it needs. */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const fraction = value % unit;
  if (fraction === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
}
