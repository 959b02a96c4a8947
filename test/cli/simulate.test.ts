// `nodewright simulate` end to end, as `npm start` runs it: the default scenario, the real ASL and
// handlers on the simulator, the closing table.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

function capture() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), now: () => new Date() },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('nodewright simulate', () => {
  it('runs the default scenario: every interruption handled, no PDB violated, exit 0', async () => {
    const { io, out } = capture();
    const status = await main(['simulate'], io);
    expect(out()).toMatch(/workflow started/);
    expect(out()).toMatch(/PDB violations: 0/);
    expect(out()).toMatch(/0 failed/);
    expect(status).toBe(0);
    const rows = out().split('\n').filter((line) => /^i-[0-9a-f]+\s+(spot-interruption|rebalance-recommendation|scheduled-change)/.test(line));
    expect(rows.length).toBe(6);
  });

  it('gives the same report for the same seed, and another for another seed', async () => {
    const run = async (seed: number) => {
      const { io, out } = capture();
      expect(await main(['simulate', '--json', '--seed', String(seed)], io)).toBe(0);
      const { report } = JSON.parse(out()) as { report: { interruptions: Array<{ instanceId: string; timeToReplacementReadySeconds: number }> } };
      return report;
    };
    const first = await run(3);
    const again = await run(3);
    const other = await run(4);
    expect(again).toEqual(first);
    expect(other.interruptions.map((i) => i.instanceId)).not.toEqual(first.interruptions.map((i) => i.instanceId));
    for (const row of first.interruptions) expect(row.timeToReplacementReadySeconds).toBeGreaterThan(0);
  });

  it('refuses a bad scenario with every problem listed and exit status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nodewright-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nseed: -1\nregion: us-east-1\ndurationMinutes: ten\ncluster: { name: x, kubernetesVersion: "1.33" }\nzones: []\nnodes: []\n');
    const { io, err, out } = capture();
    expect(await main(['simulate', file], io)).toBe(2);
    expect(err()).toMatch(/seed/);
    expect(err()).toMatch(/durationMinutes/);
    expect(err().match(/seed: must be at least 0/g)).toHaveLength(1);
    expect(err()).not.toMatch(/\n\s+at /); // no stack trace
    expect(out()).toBe('');
  });

  it('refuses unknown options and bad seeds', async () => {
    const { io, err } = capture();
    expect(await main(['simulate', '--speed', '3'], io)).toBe(2);
    expect(await main(['simulate', '--seed', 'abc'], io)).toBe(2);
    expect(err()).toMatch(/unknown option --speed/);
    expect(err()).toMatch(/--seed: expected a non-negative integer; got "abc"/);
  });
});
