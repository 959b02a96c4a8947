// NodeConfigPort on SSM Parameter Store: every parameter under a prefix holds YAML with NodePool
// and EC2NodeClass documents, as a Karpenter user would `kubectl apply` them. The parsed set,
// with the built-in pools added, is kept for a minute so a burst of steps reads SSM once.

import { GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parseNodeConfig, withBuiltins } from '../config/index.ts';
import type { Clock, NodeConfigPort } from '../ports.ts';
import type { NodeClass, NodePool } from '../types.ts';
import { callAws } from './errors.ts';

export interface NodeConfigSet {
  nodePools: NodePool[];
  nodeClasses: NodeClass[];
}

export interface ConfigSource {
  name: string;
  text: string;
}

export interface SsmNodeConfigSettings {
  /** Parameter path holding the YAML, e.g. `/nodewright/my-cluster/`. */
  prefix: string;
  clock?: Clock;
  /** How long a loaded config is served before SSM is read again. */
  cacheTtlMs?: number;
  /** Turns the parameters into a config; Karpenter YAML parsing plus built-in pools by default. */
  parse?: (sources: ConfigSource[]) => NodeConfigSet;
}

const DEFAULT_TTL_MS = 60_000;
const SYSTEM_CLOCK: Clock = { now: () => new Date() };

function parseWithBuiltins(sources: ConfigSource[]): NodeConfigSet {
  return withBuiltins(parseNodeConfig(sources));
}

export class SsmNodeConfig implements NodeConfigPort {
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly parse: (sources: ConfigSource[]) => NodeConfigSet;
  private cached?: { loadedAtMs: number; config: Promise<NodeConfigSet> };

  constructor(
    private readonly ssm: SSMClient,
    settings: SsmNodeConfigSettings,
  ) {
    if (!settings.prefix.startsWith('/')) {
      throw new Error(`SsmNodeConfig prefix ${JSON.stringify(settings.prefix)} must be a parameter path starting with /`);
    }
    this.prefix = settings.prefix;
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.ttlMs = settings.cacheTtlMs ?? DEFAULT_TTL_MS;
    this.parse = settings.parse ?? parseWithBuiltins;
  }

  async nodePool(name: string): Promise<NodePool | undefined> {
    return (await this.config()).nodePools.find((pool) => pool.name === name);
  }

  async nodeClass(name: string): Promise<NodeClass | undefined> {
    return (await this.config()).nodeClasses.find((nodeClass) => nodeClass.name === name);
  }

  async nodePools(): Promise<NodePool[]> {
    return [...(await this.config()).nodePools];
  }

  private config(): Promise<NodeConfigSet> {
    const nowMs = this.clock.now().getTime();
    if (this.cached && nowMs - this.cached.loadedAtMs < this.ttlMs) return this.cached.config;
    const loading = this.load();
    const entry = { loadedAtMs: nowMs, config: loading };
    this.cached = entry;
    // A failed load is not kept: the next call tries again instead of repeating the failure for a minute.
    loading.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return loading;
  }

  private async load(): Promise<NodeConfigSet> {
    const sources: ConfigSource[] = [];
    let nextToken: string | undefined;
    do {
      const output = await callAws('GetParametersByPath', () =>
        this.ssm.send(
          new GetParametersByPathCommand({
            Path: this.prefix,
            Recursive: true,
            WithDecryption: true,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const parameter of output.Parameters ?? []) {
        if (parameter.Name && parameter.Value !== undefined) sources.push({ name: parameter.Name, text: parameter.Value });
      }
      nextToken = output.NextToken || undefined;
    } while (nextToken);
    // SSM's order is unspecified; a fixed order keeps parse errors and duplicate detection stable.
    sources.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.parse(sources);
  }
}
