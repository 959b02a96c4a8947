import { mixedPods } from './bench/provisioning.ts';
import { catalog, filteredCatalog, simulatedSpotPrices, planCapacity, costLowerBound } from './shared/provisioning/index.ts';
const MiB = 2**20;
const cat = filteredCatalog(catalog(), (t) => t.currentGeneration);
const base = (name: string, cpu: number, mem: number, o: any = {}) => ({ namespace: 'b', name, uid: name, phase: 'Pending', labels: {}, annotations: {}, requests: { cpuMillis: cpu, memoryBytes: mem }, nodeSelector: {}, requiredNodeAffinity: [], tolerations: [], topologySpread: [], podAntiAffinity: [], ...o });
const pool = (name: string, weight: number, requirements: any[], extra: any = {}) => ({ name, weight, labels: {}, taints: [], startupTaints: [], requirements, nodeClassRef: { group: '', kind: '', name: 'default' }, limits: {}, disruption: {}, expireAfter: '720h', ...extra });
const SO = { key: 'karpenter.sh/capacity-type', operator: 'In', values: [process.argv[3] ?? 'spot', 'on-demand'] };
const kind = process.argv[2] ?? 'gen';
let pods = mixedPods(5000).filter(p => kind === 'all' || (kind === 'gen' ? (!p.topologySpread.length && !p.podAntiAffinity.length && !p.tolerations.length && !p.requiredNodeAffinity.length && !p.nodeSelector['kubernetes.io/arch']) : kind === 'crit' ? p.tolerations.length : kind === 'mem' ? p.requiredNodeAffinity.length : kind === 'zone' ? p.topologySpread[0]?.topologyKey === 'topology.kubernetes.io/zone' : kind === 'gm' ? (!p.topologySpread.length && !p.podAntiAffinity.length && !p.tolerations.length && !p.nodeSelector['kubernetes.io/arch']) : false));
const req: any = { pods, daemonSets: [base('ne', 100, 128*MiB), base('kp', 100, 64*MiB), base('arm', 50, 64*MiB, { nodeSelector: { 'kubernetes.io/arch': 'arm64' } })],
  nodePools: [pool('general', 50, [SO, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]),
    pool('memory', 20, [SO, { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r', 'x'] }], { limits: { cpu: '4000', memory: '32000Gi' } }),
    pool('critical', 10, [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }], { labels: { 'example.com/tier': 'critical' }, taints: [{ key: 'example.com/tier', value: 'critical', effect: 'NoSchedule' }] })],
  nodeClasses: [{ name: 'default', kubelet: {} }], region: 'us-east-1', spotPrices: simulatedSpotPrices('us-east-1', 42, cat.types().filter(t => t.supportsSpot).map(t => t.name)), unavailable: [], now: new Date() };
const t0 = performance.now();
const plan = planCapacity(req, { catalog: cat });
const t1 = performance.now();
const lb = costLowerBound(req, { catalog: cat });
console.log(kind, pods.length, 'pods', plan.nodes.length, 'nodes', plan.hourlyCost.toFixed(3), 'lb', lb.toFixed(3), 'ratio', (plan.hourlyCost / lb).toFixed(3), 'ms', (t1 - t0).toFixed(0), 'lbms', (performance.now() - t1).toFixed(0));
const byType = new Map<string, number>(); for (const n of plan.nodes) byType.set(n.offerings[0]!.instanceType + ' ' + n.capacityType, (byType.get(n.offerings[0]!.instanceType+ ' ' + n.capacityType) ?? 0) + 1);
console.log([...byType].slice(0, 12));
const cls = new Map<string, number>();
for (const p of pods) { const k = `${p.requests.cpuMillis}/${p.requests.memoryBytes / MiB}`; cls.set(k, (cls.get(k) ?? 0) + 1); }
console.log([...cls]);
for (const n of plan.nodes.slice(0, 40)) { const t = cat.get(n.offerings[0]!.instanceType)!; console.log(t.name, t.vcpu, t.memoryMiB, n.hourlyPrice, n.pods.length, n.requests.cpuMillis, Math.round(n.requests.memoryBytes / MiB), n.offerings.length); }
// dual prices analysis
import { preparePlanning } from './shared/provisioning/capacity/setup.ts';
const setup = preparePlanning(req, { catalog: cat });
const P = setup.pools[0]!;
const tot = [0, 0, 0]; for (const p of pods) { tot[0] += p.requests.cpuMillis; tot[1] += p.requests.memoryBytes; tot[2] += 1; }
let best = { v: 0, y: [0, 0, 0], t: '' };
const rowsAll = setup.pools.flatMap(pl => pl.types.map(t => ({ pl, t, price: Math.min(t.odPrice, ...t.spotPrice) })));
for (let i = 0; i <= 100; i++) for (let j = 0; j <= 100 - i; j++) {
  const u = [i / 100 / tot[0], j / 100 / tot[1], (100 - i - j) / 100 / tot[2]];
  let s = Infinity, arg = '';
  for (const r of rowsAll) { if (r.pl.index !== 0) continue; const v = u[0] * r.t.cpu + u[1] * r.t.mem + u[2] * r.t.pods; if (v > 0 && r.price / v < s) { s = r.price / v; arg = r.t.info.name; } }
  const val = s * (u[0] * tot[0] + u[1] * tot[1] + u[2] * tot[2]);
  if (val > best.v) best = { v: val, y: u.map(x => x * s), t: arg };
}
console.log('LP', best.v, best.t, best.y);
const eff = (n: any) => { const t = cat.get(n.offerings[0].instanceType)!; const c = [n.requests.cpuMillis, n.requests.memoryBytes, n.requests.pods]; return (best.y[0] * c[0] + best.y[1] * c[1] + best.y[2] * c[2]) / n.hourlyPrice; };
const effs = plan.nodes.map(n => ({ e: eff(n), p: n.hourlyPrice, t: n.offerings[0]!.instanceType }));
effs.sort((a, b) => b.p * (1 - b.e) - a.p * (1 - a.e));
console.log(effs.slice(0, 15));
const top = rowsAll.filter(r => r.pl.index === 0).map(r => ({ n: r.t.info.name, e: (best.y[0] * r.t.cpu + best.y[1] * r.t.mem + best.y[2] * r.t.pods) / r.price, cpu: r.t.info.vcpu, mem: r.t.info.memoryMiB, pods: r.t.pods, price: r.price })).sort((a, b) => b.e - a.e).slice(0, 10);
console.log(top);
