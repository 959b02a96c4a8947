// A simulated EC2 region: instances with their state machine, CreateFleet (type instant) with
// per-override capacity errors and client-token idempotency, subnets with free addresses,
// security groups, launch templates, spot prices, and the EventBridge events EC2 and AWS Health
// emit (state changes, spot interruption warnings, rebalance recommendations, retirements).
// Time passes through setTimeout, which the VirtualClock fakes.

import type { Clock } from '../ports.ts';
import type {
  CapacityType, FleetError, FleetOverride, FleetRequest, FleetResult, Instance, InstanceState,
  LaunchTemplateSpec, MachineImage, SelectorTerm, SpotPrice, Subnet,
} from '../types.ts';
import {
  instanceRetirementScheduled, instanceStateChange, rebalanceRecommendation, spotInterruptionWarning,
  type EventBridgeEvent, type EventContext,
} from './events.ts';
import type { SeededRandom } from './random.ts';

/** What the simulated region knows about instance types: prices and where each is offered. */
export interface Ec2Catalog {
  /** On-demand USD per hour; undefined when the type is not sold in the region. */
  onDemandPrice(instanceType: string): number | undefined;
  /** Latest spot price per (type, zone); every type when `instanceTypes` is omitted. */
  spotPrices(instanceTypes?: string[]): SpotPrice[];
  /** Whether the type is offered in the zone at all (DescribeInstanceTypeOfferings). */
  offered(instanceType: string, zone: string): boolean;
}

export interface SimSubnet {
  subnetId: string;
  zone: string;
  /** IPv4 CIDR, /16 to /28; addresses are drawn from it. */
  cidrBlock: string;
  availableIpAddressCount: number;
  tags: Record<string, string>;
}

/** An AMI the simulated account can see: its own, or one an owner such as `amazon` shares. */
export interface SimImage extends MachineImage {
  owner: string;
  tags: Record<string, string>;
}

export interface SimSecurityGroup {
  groupId: string;
  groupName: string;
  tags: Record<string, string>;
}

/**
 * How many more instances an offering can supply. Rules are matched most specific first
 * (a rule naming type, zone and capacity type beats one naming only the type); an offering no
 * rule matches has unlimited capacity.
 */
export interface CapacityRule {
  instanceType?: string;
  zone?: string;
  capacityType?: CapacityType;
  available: number;
}

export type InterruptionKind = 'spot-interruption' | 'rebalance-recommendation' | 'scheduled-change';

export interface SimEc2Options {
  region: string;
  account: string;
  clock: Clock;
  random: SeededRandom;
  catalog: Ec2Catalog;
  subnets: SimSubnet[];
  securityGroups: SimSecurityGroup[];
  /** AMIs amiSelectorTerms may select by id, name or tags (aliases resolve through SSM instead); none by default. */
  images?: SimImage[];
  capacity: CapacityRule[];
  /** Seconds from pending to running, drawn uniformly. */
  bootSeconds: [number, number];
  /** Seconds from shutting-down to terminated, drawn uniformly. */
  terminateSeconds: [number, number];
  /** How long before retirement an AWS Health scheduledChange is announced. */
  retirementNoticeMinutes: number;
}

/** The sim's full record of an instance; the ports hand out the `Instance` part only. */
export interface SimInstance extends Instance {
  subnetId: string;
  privateIpAddress: string;
  imageId?: string;
  launchTemplateName?: string;
  /** USD per hour paid for this instance, fixed at launch. */
  hourlyPrice: number;
  /** ISO 8601; set when the instance reaches terminated. */
  terminatedAt?: string;
}

/** EC2 keeps terminated instances visible to Describe calls for about an hour. */
const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;
const SPOT_NOTICE_MS = 2 * 60 * 1000;

/** One CreateFleet call that reached EC2 (idempotent repeats excluded), for the report. */
export interface FleetAttempt {
  at: string;
  request: FleetRequest;
  launched: string[];
  errors: FleetError[];
}

interface FleetRecord {
  requestJson: string;
  instanceIds: string[];
  errors: FleetError[];
}

export class SimEc2 {
  private readonly instances = new Map<string, SimInstance>();
  private readonly fleets = new Map<string, FleetRecord>();
  private readonly launchTemplates = new Map<string, LaunchTemplateSpec>();
  private readonly usedIps = new Set<string>();
  private readonly capacity: CapacityRule[];
  private readonly eventListeners: Array<(event: EventBridgeEvent) => void> = [];
  private readonly stateListeners: Array<(instance: SimInstance, previous: InstanceState | undefined) => void> = [];
  private readonly emitted: EventBridgeEvent[] = [];
  private readonly attempts: FleetAttempt[] = [];

  constructor(private readonly options: SimEc2Options) {
    // Copies: launches consume the scenario's capacity.
    this.capacity = options.capacity.map((rule) => ({ ...rule }));
  }

  get region(): string {
    return this.options.region;
  }

  /** Subscribes to every EventBridge event this region emits. */
  onEvent(listener: (event: EventBridgeEvent) => void): void {
    this.eventListeners.push(listener);
  }

  /** Subscribes to instance state transitions (the sim's own wiring, not an AWS feature). */
  onStateChange(listener: (instance: SimInstance, previous: InstanceState | undefined) => void): void {
    this.stateListeners.push(listener);
  }

  /** Every event emitted so far, oldest first. */
  events(): readonly EventBridgeEvent[] {
    return this.emitted;
  }

  /** Every CreateFleet that launched or was refused, oldest first. */
  fleetAttempts(): FleetAttempt[] {
    return structuredClone(this.attempts);
  }

  /** Every instance ever launched, including terminated ones. */
  allInstances(): SimInstance[] {
    return [...this.instances.values()].map((i) => structuredClone(i));
  }

  instance(instanceId: string): SimInstance | undefined {
    const found = this.instances.get(instanceId);
    return found ? structuredClone(found) : undefined;
  }

  subnets(): SimSubnet[] {
    return this.options.subnets.map((s) => structuredClone(s));
  }

  launchTemplate(name: string): LaunchTemplateSpec | undefined {
    const found = this.launchTemplates.get(name);
    return found ? structuredClone(found) : undefined;
  }

  // ------------------------------------------------------------ the EC2 API as the ports use it

  describeInstance(instanceId: string): Instance | undefined {
    const found = this.instances.get(instanceId);
    if (!found) return undefined;
    if (found.terminatedAt && this.nowMs() - Date.parse(found.terminatedAt) > TERMINATED_VISIBLE_MS) return undefined;
    return publicView(found);
  }

  findInstancesByTag(key: string, value: string): Instance[] {
    return [...this.instances.values()]
      .filter((i) => i.state !== 'terminated' && i.tags[key] === value)
      .map(publicView);
  }

  createFleet(request: FleetRequest): FleetResult {
    const requestJson = JSON.stringify(request);
    const previous = this.fleets.get(request.clientToken);
    if (previous) {
      if (previous.requestJson !== requestJson) {
        throw namedError('IdempotentParameterMismatch', `The client token ${request.clientToken} was already used with different parameters.`);
      }
      return {
        instances: previous.instanceIds.map((id) => publicView(this.instances.get(id) as SimInstance)),
        errors: structuredClone(previous.errors),
      };
    }
    const result = this.fulfil(request);
    this.attempts.push({
      at: this.now().toISOString(), request: structuredClone(request),
      launched: result.instances.map((i) => i.instanceId), errors: structuredClone(result.errors),
    });
    this.fleets.set(request.clientToken, {
      requestJson,
      instanceIds: result.instances.map((i) => i.instanceId),
      errors: structuredClone(result.errors),
    });
    return result;
  }

  terminateInstance(instanceId: string): 'terminating' | 'already-gone' {
    const found = this.instances.get(instanceId);
    if (!found || found.state === 'shutting-down' || found.state === 'terminated') return 'already-gone';
    this.beginTermination(found);
    return 'terminating';
  }

  describeSpotPrices(instanceTypes: string[]): SpotPrice[] {
    return this.options.catalog.spotPrices(instanceTypes);
  }

  resolveSubnets(terms: SelectorTerm[]): Subnet[] {
    return this.options.subnets
      .filter((s) => terms.some((t) => matchesTerm(t, s.subnetId, undefined, s.tags)))
      .map((s) => ({ subnetId: s.subnetId, zone: s.zone, availableIpAddressCount: s.availableIpAddressCount }));
  }

  resolveSecurityGroups(terms: SelectorTerm[]): string[] {
    return this.options.securityGroups
      .filter((g) => terms.some((t) => matchesTerm(t, g.groupId, g.groupName, g.tags)))
      .map((g) => g.groupId);
  }

  resolveImages(terms: SelectorTerm[]): MachineImage[] {
    return (this.options.images ?? [])
      .filter((image) => terms.some((term) => imageMatches(term, image, this.options.account)))
      .map(({ imageId, name, architecture, creationDate }) => ({ imageId, name, architecture, creationDate }));
  }

  ensureLaunchTemplate(spec: LaunchTemplateSpec): string {
    if (!this.launchTemplates.has(spec.name)) this.launchTemplates.set(spec.name, structuredClone(spec));
    return spec.name;
  }

  // ------------------------------------------------------------ what the scenario and AWS do

  /**
   * An instance that is already running when the simulation starts (no events, no boot delay).
   * Throws when the zone has no subnet or the type is not offered there.
   */
  addRunningInstance(input: { instanceType: string; zone: string; capacityType: CapacityType; tags: Record<string, string>; launchTime?: Date }): SimInstance {
    const subnet = this.options.subnets.find((s) => s.zone === input.zone && s.availableIpAddressCount > 0);
    if (!subnet) throw new Error(`no subnet with free addresses in zone ${input.zone}`);
    if (!this.options.catalog.offered(input.instanceType, input.zone)) {
      throw new Error(`instance type ${input.instanceType} is not offered in ${input.zone}`);
    }
    const price = this.priceOf(input.instanceType, input.zone, input.capacityType);
    if (price === undefined) throw new Error(`no ${input.capacityType} price for ${input.instanceType} in ${input.zone}`);
    const instance = this.createInstance({
      instanceType: input.instanceType, subnet, capacityType: input.capacityType, tags: input.tags, hourlyPrice: price,
      launchTime: input.launchTime ?? this.now(),
    });
    instance.state = 'running';
    return structuredClone(instance);
  }

  /**
   * Delivers an interruption notice for the instance and returns the event. A spot interruption
   * also terminates the instance two minutes later, as EC2 does; a scheduled change (retirement)
   * terminates it at the announced start time.
   */
  interrupt(instanceId: string, kind: InterruptionKind): EventBridgeEvent {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`cannot interrupt unknown instance ${instanceId}`);
    if (instance.state !== 'running' && instance.state !== 'pending') {
      throw new Error(`cannot interrupt instance ${instanceId} in state ${instance.state}`);
    }
    if ((kind === 'spot-interruption' || kind === 'rebalance-recommendation') && instance.capacityType !== 'spot') {
      throw new Error(`${kind} applies to spot instances only; ${instanceId} is ${instance.capacityType}`);
    }
    let event: EventBridgeEvent;
    if (kind === 'spot-interruption') {
      event = spotInterruptionWarning(this.eventContext(), instanceId);
      setTimeout(() => this.reclaim(instanceId), SPOT_NOTICE_MS);
    } else if (kind === 'rebalance-recommendation') {
      event = rebalanceRecommendation(this.eventContext(), instanceId);
    } else {
      const leadMs = this.options.retirementNoticeMinutes * 60_000;
      const start = new Date(this.nowMs() + leadMs);
      event = instanceRetirementScheduled(this.eventContext(), instanceId, start, new Date(start.getTime() + 60 * 60_000));
      setTimeout(() => this.reclaim(instanceId), leadMs);
    }
    this.emit(event);
    return event;
  }

  // ------------------------------------------------------------ internals

  private fulfil(request: FleetRequest): FleetResult {
    const template = this.launchTemplates.get(request.launchTemplateName);
    if (!template) {
      return {
        instances: [],
        errors: [{ code: 'InvalidLaunchTemplateName.NotFoundException', message: `The specified launch template, with template name ${request.launchTemplateName}, does not exist.` }],
      };
    }
    const errors: FleetError[] = [];
    for (const override of this.allocationOrder(request)) {
      const refusal = this.refusal(override, request.capacityType);
      if (refusal) {
        errors.push(refusal);
        continue;
      }
      const subnet = this.options.subnets.find((s) => s.subnetId === override.subnetId) as SimSubnet;
      this.consumeCapacity(override.instanceType, override.zone, request.capacityType);
      const instance = this.createInstance({
        instanceType: override.instanceType,
        subnet,
        capacityType: request.capacityType,
        tags: { ...template.tags, ...request.tags },
        hourlyPrice: this.priceOf(override.instanceType, override.zone, request.capacityType) as number,
        launchTime: this.now(),
        imageId: template.imageId,
        launchTemplateName: template.name,
      });
      this.transition(instance, 'pending');
      const bootMs = Math.round(this.options.random.between(...this.options.bootSeconds) * 1000);
      setTimeout(() => {
        if (instance.state === 'pending') this.transition(instance, 'running');
      }, bootMs);
      return { instances: [publicView(instance)], errors };
    }
    return { instances: [], errors };
  }

  /**
   * The order EC2 tries the overrides in: by priority for the prioritized strategies, cheapest
   * first for the price strategies (the sim has no capacity-pool depth, so
   * price-capacity-optimized reduces to the cheapest pool that has capacity).
   */
  private allocationOrder(request: FleetRequest): FleetOverride[] {
    const indexed = request.overrides.map((override, index) => ({ override, index }));
    const prioritized = request.allocationStrategy === 'prioritized' || request.allocationStrategy === 'capacity-optimized-prioritized';
    const key = (o: FleetOverride): number =>
      prioritized ? (o.priority ?? Number.POSITIVE_INFINITY) : (this.priceOf(o.instanceType, o.zone, request.capacityType) ?? Number.POSITIVE_INFINITY);
    return indexed.sort((a, b) => key(a.override) - key(b.override) || a.index - b.index).map((x) => x.override);
  }

  /** Why EC2 would refuse this override now, or undefined when it can launch. */
  private refusal(override: FleetOverride, capacityType: CapacityType): FleetError | undefined {
    const { instanceType, zone } = override;
    const refuse = (code: string, message: string): FleetError => ({ instanceType, zone, code, message });
    const subnet = this.options.subnets.find((s) => s.subnetId === override.subnetId);
    if (!subnet) return refuse('InvalidSubnetID.NotFound', `The subnet ID '${override.subnetId}' does not exist`);
    if (subnet.zone !== zone) return refuse('InvalidParameterValue', `Subnet ${subnet.subnetId} is in ${subnet.zone}, not ${zone}`);
    if (!this.options.catalog.offered(instanceType, zone) || this.priceOf(instanceType, zone, capacityType) === undefined) {
      return refuse('Unsupported', `Your requested instance type (${instanceType}) is not supported in your requested Availability Zone (${zone}).`);
    }
    if (subnet.availableIpAddressCount <= 0) {
      return refuse('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the requested number of instances.`);
    }
    const rule = this.capacityRule(instanceType, zone, capacityType);
    if (rule && rule.available <= 0) {
      return refuse('InsufficientInstanceCapacity', `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${zone}). Our system will be working on provisioning additional capacity.`);
    }
    return undefined;
  }

  private capacityRule(instanceType: string, zone: string, capacityType: CapacityType): CapacityRule | undefined {
    const specificity = (r: CapacityRule): number => Number(r.instanceType !== undefined) * 4 + Number(r.zone !== undefined) * 2 + Number(r.capacityType !== undefined);
    return this.capacity
      .filter((r) => (r.instanceType ?? instanceType) === instanceType && (r.zone ?? zone) === zone && (r.capacityType ?? capacityType) === capacityType)
      .sort((a, b) => specificity(b) - specificity(a))[0];
  }

  private consumeCapacity(instanceType: string, zone: string, capacityType: CapacityType): void {
    const rule = this.capacityRule(instanceType, zone, capacityType);
    if (rule) rule.available -= 1;
  }

  private priceOf(instanceType: string, zone: string, capacityType: CapacityType): number | undefined {
    if (capacityType === 'on-demand') return this.options.catalog.onDemandPrice(instanceType);
    return this.options.catalog.spotPrices([instanceType]).find((p) => p.zone === zone)?.price;
  }

  private createInstance(input: {
    instanceType: string; subnet: SimSubnet; capacityType: CapacityType; tags: Record<string, string>;
    hourlyPrice: number; launchTime: Date; imageId?: string; launchTemplateName?: string;
  }): SimInstance {
    let instanceId: string;
    do instanceId = `i-${this.options.random.hex(17)}`;
    while (this.instances.has(instanceId));
    const ip = this.allocateIp(input.subnet);
    const instance: SimInstance = {
      instanceId,
      instanceType: input.instanceType,
      zone: input.subnet.zone,
      capacityType: input.capacityType,
      state: 'pending',
      launchTime: input.launchTime.toISOString(),
      tags: { ...input.tags },
      privateDnsName: privateDnsName(ip, this.options.region),
      subnetId: input.subnet.subnetId,
      privateIpAddress: ip,
      hourlyPrice: input.hourlyPrice,
      ...(input.imageId ? { imageId: input.imageId } : {}),
      ...(input.launchTemplateName ? { launchTemplateName: input.launchTemplateName } : {}),
    };
    this.instances.set(instanceId, instance);
    return instance;
  }

  private allocateIp(subnet: SimSubnet): string {
    const [base, prefix] = subnet.cidrBlock.split('/');
    const baseInt = (base as string).split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const hosts = 2 ** (32 - Number(prefix));
    // AWS reserves the first four addresses and the last one of every subnet.
    for (let attempt = 0; attempt < 1000; attempt++) {
      const value = baseInt + this.options.random.int(4, hosts - 2);
      const ip = [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        subnet.availableIpAddressCount -= 1;
        return ip;
      }
    }
    throw new Error(`subnet ${subnet.subnetId} (${subnet.cidrBlock}) has no free address left`);
  }

  private releaseIp(instance: SimInstance): void {
    if (!this.usedIps.delete(instance.privateIpAddress)) return;
    const subnet = this.options.subnets.find((s) => s.subnetId === instance.subnetId);
    if (subnet) subnet.availableIpAddressCount += 1;
  }

  /** EC2 itself takes the instance back (end of a spot notice, a retirement). */
  private reclaim(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (instance && instance.state !== 'shutting-down' && instance.state !== 'terminated') this.beginTermination(instance);
  }

  private beginTermination(instance: SimInstance): void {
    this.transition(instance, 'shutting-down');
    const ms = Math.round(this.options.random.between(...this.options.terminateSeconds) * 1000);
    setTimeout(() => {
      instance.terminatedAt = this.now().toISOString();
      this.releaseIp(instance);
      this.transition(instance, 'terminated');
    }, ms);
  }

  private transition(instance: SimInstance, state: InstanceState): void {
    const previous = instance.state === state ? undefined : instance.state;
    instance.state = state;
    this.emit(instanceStateChange(this.eventContext(), instance.instanceId, state));
    for (const listener of this.stateListeners) listener(structuredClone(instance), previous);
  }

  private emit(event: EventBridgeEvent): void {
    this.emitted.push(event);
    for (const listener of this.eventListeners) listener(structuredClone(event));
  }

  private eventContext(): EventContext {
    return { random: this.options.random, account: this.options.account, region: this.options.region, now: this.now() };
  }

  private now(): Date {
    return this.options.clock.now();
  }

  private nowMs(): number {
    return this.now().getTime();
  }
}

/** us-east-1 uses the legacy `ec2.internal` domain; every other region `<region>.compute.internal`. */
export function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** Karpenter's selector-term semantics: every given field must match; a tag value `*` matches any value. */
function matchesTerm(term: SelectorTerm, id: string, name: string | undefined, tags: Record<string, string>): boolean {
  if (term.id !== undefined && term.id !== id) return false;
  if (term.name !== undefined && term.name !== name) return false;
  if (!tagsMatch(term.tags, tags)) return false;
  return term.id !== undefined || term.name !== undefined || Object.keys(term.tags ?? {}).length > 0;
}

/** Every tag of the term is there with its value ('*': any value), as EC2's tag filters match. */
function tagsMatch(wanted: Record<string, string> | undefined, tags: Record<string, string>): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => key in tags && (value === '*' || tags[key] === value));
}

/**
 * An amiSelectorTerm against an image, as DescribeImages answers its query (ec2-selectors.ts
 * imageQuery): id, name (EC2's * and ? wildcards) and tags together; the term's owner (`self` is
 * the account), else, when it names an image, the account's own and Amazon's.
 */
function imageMatches(term: SelectorTerm, image: SimImage, account: string): boolean {
  if (term.id === undefined && term.name === undefined && Object.keys(term.tags ?? {}).length === 0) return false;
  if (term.id !== undefined && term.id !== image.imageId) return false;
  if (term.name !== undefined && !wildcardPattern(term.name).test(image.name)) return false;
  if (!tagsMatch(term.tags, image.tags)) return false;
  const owners = term.owner !== undefined ? [term.owner] : term.name !== undefined ? ['self', 'amazon'] : undefined;
  return owners === undefined || owners.some((owner) => owner === image.owner || (owner === 'self' && image.owner === account));
}

/** EC2 filter wildcards: * any run of characters, ? one character; everything else literal. */
function wildcardPattern(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function publicView(instance: SimInstance): Instance {
  return {
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    zone: instance.zone,
    capacityType: instance.capacityType,
    state: instance.state,
    launchTime: instance.launchTime,
    tags: { ...instance.tags },
    ...(instance.privateDnsName ? { privateDnsName: instance.privateDnsName } : {}),
  };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
