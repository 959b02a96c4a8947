import { mixedPods } from './bench/provisioning.ts';
const pods = mixedPods(Number(process.argv[2] ?? 100));
const m = new Map<string, number>();
for (const p of pods) { const k = `${p.labels.app} ${p.requests.cpuMillis}m ${p.requests.memoryBytes/2**20}Mi sel=${JSON.stringify(p.nodeSelector)} aff=${p.requiredNodeAffinity.length} spread=${p.topologySpread.map(s=>s.topologyKey+':'+s.maxSkew)} anti=${p.podAntiAffinity.length}`; m.set(k, (m.get(k) ?? 0) + 1); }
for (const [k, v] of m) console.log(v, k);
