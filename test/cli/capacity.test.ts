// `nodewright capacity` with captured io: the example shop end to end (text and JSON), exit codes,
// the report layout on a plan built by hand, and bad input refused with file, field and value.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CAPACITY_USAGE, OFFERINGS_SHOWN, capacityCommand, formatCapacityReport, type CapacityInputs,
} from '../../cli/commands/capacity.ts';
import type { CapacityPlan } from '../../shared/provisioning/index.ts';

const NODEPOOLS = fileURLToPath(new URL('../../examples/nodepools/default.yaml', import.meta.url));
const SHOP = fileURLToPath(new URL('../../examples/workloads/shop.yaml', import.meta.url));

function capture() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), now: () => new Date('2025-03-01T00:00:00Z') },
    out: () => stdout,
    err: () => stderr,
  };
}

async function run(...args: string[]) {
  const { io, out, err } = capture();
  const status = await capacityCommand(args, io);
  return { status, out: out(), err: err() };
}

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodewright-capacity-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface JsonOutput {
  inputs: CapacityInputs;
  plan: CapacityPlan;
}

describe('nodewright capacity on the example shop', () => {
  it('places every pod and prints one offering table per node, the exclusions and the total', async () => {
    const { status, out, err } = await run('--nodepool', NODEPOOLS, '--pods', SHOP);
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(out).toMatch(/^nodewright capacity: 16 pods from 4 workloads, 1 DaemonSet on every node; NodePools default, general-purpose, system; region us-east-1$/m);
    expect(out).toMatch(/spot simulated offline with seed 1, not live market prices/);
    expect(out).toMatch(/skipped: Service "storefront" \(.*shop\.yaml, document 6\): runs no pods here/);
    expect(out).toMatch(/^Instance Type\s+vCPUs\s+Memory \(GiB\)\s+Zone\s+Capacity\s+\$\/hour$/m);
    expect(out).toMatch(/^-{13}\s+-{5}\s+-{12}/m);
    expect(out).toMatch(/^\+\d+ more offerings$/m);
    expect(out).toMatch(/Unschedulable pods: none/);
    expect(out).toMatch(/^\s+\d+\s+instance type excluded by NodePool requirements$/m);
    // The databases ask for on-demand: their node says so, and so does every row of its table.
    const dbNode = out.split('\n\n').find((block) => block.includes('shop/catalog-db-0'))!;
    expect(dbNode).toMatch(/^Node \d+: pool default, on-demand,/);
    const rows = dbNode.split('\n').filter((line) => /^\S+\.\S+\s+\d+\s/.test(line));
    expect(rows).toHaveLength(OFFERINGS_SHOWN);
    for (const row of rows) expect(row).toMatch(/\s+on-demand\s+\$\d+\.\d{3,6}$/);
  });

  it('prints the plan and the inputs as JSON, consistent with the text', async () => {
    const json = await run('--nodepool', NODEPOOLS, '--pods', SHOP, '--json');
    expect(json.status).toBe(0);
    const { inputs, plan } = JSON.parse(json.out) as JsonOutput;
    expect(inputs.prices).toMatchObject({ onDemand: 'snapshot', spot: 'simulated', seed: 1 });
    expect(inputs.pods).toBe(16);
    expect(inputs.daemonSets).toEqual(['kube-system/log-shipper']);
    expect(inputs.workloads.map((w) => `${w.kind} ${w.name} ${w.pods}`)).toEqual([
      'Deployment storefront 6', 'Deployment checkout 3', 'StatefulSet catalog-db 3', 'Job reindex-search 4', 'DaemonSet log-shipper 1',
    ]);
    const placed = plan.nodes.flatMap((node) => node.pods).sort();
    expect(placed).toHaveLength(16);
    expect(new Set(placed).size).toBe(16);
    expect(plan.unschedulable).toEqual([]);
    // Anti-affinity on hostname: no node holds two checkout replicas.
    for (const node of plan.nodes) expect(node.pods.filter((p) => p.startsWith('shop/checkout-')).length).toBeLessThanOrEqual(1);
    const sum = plan.nodes.reduce((total, node) => total + node.hourlyPrice, 0);
    expect(plan.hourlyCost).toBeCloseTo(sum, 6);

    const text = await run('--nodepool', NODEPOOLS, '--pods', SHOP);
    expect(text.out).toContain(`Total: ${plan.nodes.length} nodes, $${plan.hourlyCost}`);
  });

  it('gives the same plan for the same seed and other spot prices for another', async () => {
    const plan = async (seed: string) => (JSON.parse((await run('--nodepool', NODEPOOLS, '--pods', SHOP, '--json', '--seed', seed)).out) as JsonOutput).plan;
    const first = await plan('7');
    expect(await plan('7')).toEqual(first);
    const other = await plan('8');
    const spotPrices = (p: CapacityPlan) => p.nodes.flatMap((n) => n.offerings.filter((o) => o.capacityType === 'spot').map((o) => o.price));
    expect(spotPrices(other)).not.toEqual(spotPrices(first));
  });

  it('takes several files after one flag, and the built-in pools alone without --nodepool', async () => {
    const extra = file('batch.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: one-off }\nspec: { containers: [{ name: a, resources: { requests: { cpu: 100m } } }] }\n');
    const { status, out } = await run('--pods', SHOP, extra, '--json');
    expect(status).toBe(0);
    const { inputs, plan } = JSON.parse(out) as JsonOutput;
    expect(inputs.nodePools).toEqual(['general-purpose', 'system']);
    expect(inputs.pods).toBe(17);
    expect(plan.nodes.flatMap((n) => n.pods)).toContain('default/one-off');
  });

  it('reads a NodePool and its EC2NodeClass from one kind: List file', async () => {
    const list = file('pools.yaml', `apiVersion: v1
kind: List
items:
  - apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata: { name: listed }
    spec:
      weight: 10
      template:
        spec:
          nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: listed }
          requirements:
            - { key: karpenter.k8s.aws/instance-family, operator: In, values: [m7i] }
  - apiVersion: karpenter.k8s.aws/v1
    kind: EC2NodeClass
    metadata: { name: listed }
    spec:
      role: KarpenterNodeRole-demo
      amiSelectorTerms: [{ alias: al2023@latest }]
      subnetSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
      securityGroupSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
`);
    const { status, out } = await run('--nodepool', list, '--pods', SHOP, '--json');
    expect(status).toBe(0);
    const { inputs, plan } = JSON.parse(out) as JsonOutput;
    expect(inputs.nodePools).toEqual(['listed', 'general-purpose', 'system']);
    // The heaviest pool takes every pod, on the one family it allows.
    expect(plan.nodes.map((n) => n.nodePool)).toEqual(plan.nodes.map(() => 'listed'));
    expect(plan.nodes.flatMap((n) => n.offerings.map((o) => o.instanceType)).every((t) => t.startsWith('m7i.'))).toBe(true);
  });

  it('counts ephemeral-storage requests against the node class\'s volume and prints them', async () => {
    // The example node class has a 50Gi root volume: 50 - 1Gi kube-reserved - 5Gi (10%) = 44Gi.
    // Six pods of 6Gi (36Gi) share one node; seven of 7Gi (49Gi) need two.
    const manifest = (replicas: number, gib: number) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: scratch }\nspec:\n  replicas: ${replicas}\n  selector: { matchLabels: { app: scratch } }\n` +
      `  template:\n    metadata: { labels: { app: scratch } }\n    spec: { containers: [{ name: a, resources: { requests: { cpu: 100m, memory: 128Mi, ephemeral-storage: ${gib}Gi } } }] }\n`;
    const fits = await run('--nodepool', NODEPOOLS, '--pods', file('six.yaml', manifest(6, 6)));
    expect(fits.out).toMatch(/^Node 1: .*6 pods, requests 0\.6 vCPU \/ 0\.75 GiB \/ 36 GiB ephemeral storage, /m);
    expect(fits.out).not.toMatch(/^Node 2:/m);
    const split = await run('--nodepool', NODEPOOLS, '--pods', file('seven.yaml', manifest(7, 7)));
    expect(split.out).toMatch(/^Node 2:/m);
    expect(split.out).toMatch(/^Total: 2 nodes,/m);
  });

  it('exits 1 and names the pod and the reason when a pod fits nowhere', async () => {
    const huge = file('huge.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: huge }\nspec: { containers: [{ name: a, resources: { requests: { cpu: "5000" } } }] }\n');
    const { status, out } = await run('--nodepool', NODEPOOLS, '--pods', huge);
    expect(status).toBe(1);
    expect(out).toMatch(/Unschedulable pods \(1\):\n {2}default\/huge: \S.+/);
  });
});

describe('the report layout', () => {
  const inputs: CapacityInputs = {
    region: 'us-east-1',
    prices: { onDemand: 'snapshot', spot: 'simulated', seed: 3, snapshotDate: '2025-01-01' },
    nodePools: ['default'],
    nodeClasses: ['default'],
    workloads: [{ source: 'w.yaml', kind: 'Deployment', namespace: 'default', name: 'web', pods: 10 }],
    daemonSets: [],
    pods: 10,
    skipped: [],
    notes: ['w.yaml: Deployment "web" spec.template.spec.topologySpreadConstraints[0].minDomains ignored'],
  };
  const offering = (instanceType: string, zone: string, price: number) => ({ instanceType, zone, capacityType: 'spot' as const, price });
  const plan: CapacityPlan = {
    nodes: [
      {
        nodePool: 'default',
        capacityType: 'spot',
        zone: 'us-east-1b',
        offerings: [
          offering('m5.large', 'us-east-1b', 0.0312),
          offering('c5.xlarge', 'us-east-1b', 0.05),
          offering('r5.large', 'us-east-1b', 0.06),
          offering('m6i.large', 'us-east-1b', 0.061),
          offering('m7i.large', 'us-east-1b', 0.07),
          offering('m5.xlarge', 'us-east-1b', 0.08),
          offering('m6a.large', 'us-east-1b', 0.09),
        ],
        pods: Array.from({ length: 10 }, (_, i) => `default/web-${i}`),
        requests: { cpuMillis: 1750, memoryBytes: 3 * 2 ** 30 + 2 ** 29 },
        hourlyPrice: 0.0312,
      },
    ],
    unschedulable: [{ pod: 'default/big-0', reason: 'no instance type in NodePool "default" has 64 GPUs' }],
    hourlyCost: 0.0312,
    excluded: [{ reason: 'instance type excluded by NodePool requirements', count: 1200 }, { reason: 'zone not allowed', count: 7 }],
  };

  it('prints the node header, the table, the counts of what is not shown, reasons and the total', () => {
    const text = formatCapacityReport(plan, inputs);
    expect(text).toContain('Node 1: pool default, spot, zone us-east-1b, 10 pods, requests 1.75 vCPU / 3.5 GiB, $0.0312/hour\n');
    expect(text).toContain(
      [
        'Instance Type  vCPUs  Memory (GiB)  Zone        Capacity  $/hour',
        '-------------  -----  ------------  ----------  --------  -------',
        'm5.large       2      8             us-east-1b  spot      $0.0312',
        'c5.xlarge      4      8             us-east-1b  spot      $0.050',
        'r5.large       2      16            us-east-1b  spot      $0.060',
        'm6i.large      2      8             us-east-1b  spot      $0.061',
        'm7i.large      2      8             us-east-1b  spot      $0.070',
        '+2 more offerings',
        'pods: default/web-0, default/web-1, default/web-2, default/web-3, default/web-4, default/web-5, default/web-6, default/web-7, +2 more',
      ].join('\n'),
    );
    expect(text).toContain('Unschedulable pods (1):\n  default/big-0: no instance type in NodePool "default" has 64 GPUs\n');
    expect(text).toContain('Instance types left out:\n  1200  instance type excluded by NodePool requirements\n     7  zone not allowed\n');
    expect(text).toContain('note: w.yaml: Deployment "web" spec.template.spec.topologySpreadConstraints[0].minDomains ignored');
    expect(text).toContain('prices: on-demand from the committed price snapshot (2025-01-01); spot simulated offline with seed 3');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Total: 1 node, $0.0312/hour (about $22.78 a month at 730 hours)');
  });
});

describe('bad input', () => {
  it('names the file, the object, the field and the value, exits 2 without a stack trace', async () => {
    const pods = file('pods.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  replicas: three\n  template: { spec: { containers: [{ name: a }] } }\n');
    const { status, out, err } = await run('--nodepool', NODEPOOLS, '--pods', pods);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`nodewright capacity: ${pods}: Deployment "web" spec.replicas: expected a non-negative integer; got "three"\n`);
  });

  it('lists the problems of the node configuration and of the workloads together', async () => {
    const pools = file('pools.yaml', 'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: { name: x }\nspec: { template: { spec: { nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: missing }, requirements: [] } } }\n');
    const pods = file('pods.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: a, resources: { requests: { memory: lots } } }] }\n');
    const { status, err } = await run('--nodepool', pools, '--pods', pods, join(tmpdir(), 'no-such-file.yaml'));
    expect(status).toBe(2);
    expect(err).toMatch(/^nodewright capacity: 3 problems in the input:/);
    expect(err).toContain(`${pools}: NodePool "x" spec.template.spec.nodeClassRef.name: no EC2NodeClass of that name is loaded`);
    expect(err).toContain(`${pods}: Pod "p" spec.containers[0].resources.requests.memory: expected a non-negative Kubernetes quantity such as 500m, 2 or 1Gi; got "lots"`);
    expect(err).toContain(`--pods: cannot read "${join(tmpdir(), 'no-such-file.yaml')}": no such file`);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it.each([
    { args: ['--nodepool', NODEPOOLS], message: '--pods: at least one workload file is required' },
    { args: ['--pods'], message: '--pods: expected at least one file' },
    { args: ['--pods', SHOP, '--seed', 'x'], message: '--seed: expected a non-negative integer; got "x"' },
    { args: ['--pods', SHOP, '--seed=-2'], message: '--seed: expected a non-negative integer; got "-2"' },
    { args: ['--pods', SHOP, '--region', 'mars-1'], message: '--region: "mars-1" is not in the instance catalog' },
    { args: ['--pods', SHOP, '--region'], message: '--region: expected a region such as us-east-1; got null' },
    { args: ['--pods', SHOP, '--top', '3'], message: 'unknown option --top' },
    { args: ['--json', SHOP], message: `unexpected argument "${SHOP}": files go after --nodepool or --pods` },
  ])('refuses $args with exit status 2', async ({ args, message }) => {
    const { status, out, err } = await run(...args);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`nodewright capacity: ${message}`);
  });

  it('prints its usage with --help and exits 0', async () => {
    const { status, out } = await run('--help');
    expect(status).toBe(0);
    expect(out).toBe(CAPACITY_USAGE);
  });
});
