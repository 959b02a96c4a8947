import { mixedPods } from './bench/provisioning.ts';
import { catalog, filteredCatalog, simulatedSpotPrices } from './shared/provisioning/index.ts';
import { preparePlanning } from './shared/provisioning/capacity/setup.ts';
import { pack } from './shared/provisioning/capacity/packer.ts';
import { finalizeNodes } from './shared/provisioning/capacity/node-offerings.ts';
import { lowerBoundOf } from './shared/provisioning/capacity/lower-bound.ts';
const MiB = 2**20;
const n = Number(process.argv[2] ?? 5000);
const cat = filteredCatalog(catalog(), (t) => t.currentGeneration);
const base = (name: string, cpu: number, mem: number, o: any = {}) => ({ namespace: 'b', name, uid: name, phase: 'Pending', labels: {}, annotations: {}, requests: { cpuMillis: cpu, memoryBytes: mem }, nodeSelector: {}, requiredNodeAffinity: [], tolerations: [], topologySpread: [], podAntiAffinity: [], ...o });
const pool = (name: string, weight: number, requirements: any[], extra: any = {}) => ({ name, weight, labels: {}, taints: [], startupTaints: [], requirements, nodeClassRef: { group: '', kind: '', name: 'default' }, limits: {}, disruption: {}, expireAfter: '720h', ...extra });
const SO = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] };
const only = process.argv[3];
let pods = mixedPods(n);
const req: any = { pods, daemonSets: [base('ne', 100, 128*MiB), base('kp', 100, 64*MiB), base('arm', 50, 64*MiB, { nodeSelector: { 'kubernetes.io/arch': 'arm64' } })],
  nodePools: [pool('general', 50, [SO, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]),
    pool('memory', 20, [SO, { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r', 'x'] }], { limits: { cpu: '4000', memory: '32000Gi' } }),
    pool('critical', 10, [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }], { labels: { 'example.com/tier': 'critical' }, taints: [{ key: 'example.com/tier', value: 'critical', effect: 'NoSchedule' }] })],
  nodeClasses: [{ name: 'default', kubelet: {} }], region: 'us-east-1', spotPrices: simulatedSpotPrices('us-east-1', 42, cat.types().filter(t => t.supportsSpot).map(t => t.name)), unavailable: [], now: new Date() };
const setup = preparePlanning(req, { catalog: cat });
console.log('classes', setup.classes.length);
const packed = pack(setup);
const fin = finalizeNodes(setup, packed.nodes);
const agg = new Map<string, { n: number; cost: number; cpuU: number; memU: number }>();
packed.nodes.forEach((node, i) => {
  const f = fin.planned[i]!;
  const ft = node.pool.types.find(x => x.info.name === f.offerings[0]!.instanceType)!;
  const kinds = [...new Set(node.podIds.map(p => { const pp = pods.find(q => `${q.namespace}/${q.name}` === p)!; return pp.topologySpread[0]?.topologyKey ?? (pp.podAntiAffinity.length ? 'anti' : pp.nodeSelector['kubernetes.io/arch'] ?? (pp.requiredNodeAffinity.length ? 'mem' : pp.tolerations.length ? 'crit' : 'gen')); }))].sort().join(',');
  const key = `${node.pool.pool.name} ${f.capacityType} ${kinds}`;
  const a = agg.get(key) ?? { n: 0, cost: 0, cpuU: 0, memU: 0 };
  a.n++; a.cost += f.hourlyPrice; a.cpuU += node.cpu / ft.cpu; a.memU += node.mem / ft.mem; agg.set(key, a);
  if (i < 25) console.log(node.pool.pool.name, ft.info.name, f.zone, f.hourlyPrice, (node.cpu / ft.cpu).toFixed(2), (node.mem / ft.mem).toFixed(2), node.pods, '/', ft.pods, kinds, 'opened', node.pool.types[node.type]!.info.name);
});
for (const [k, a] of [...agg].sort((x, y) => y[1].cost - x[1].cost)) console.log(k, a.n, a.cost.toFixed(3), (a.cpuU / a.n).toFixed(2), (a.memU / a.n).toFixed(2));
console.log('cost', fin.planned.reduce((a, b) => a + b.hourlyPrice, 0), 'lb', lowerBoundOf(setup), 'unsched', packed.unschedulable.length + fin.unschedulable.length);
