// The closing table of `nodewright simulate`: one row per interruption, then the totals.

import type { InterruptionOutcome, InterruptionReport } from '../../shared/sim/metrics.ts';
import type { ExecutionRecord } from '../../shared/sim/workflows.ts';

const COLUMNS: Array<{ title: string; value: (o: InterruptionOutcome) => string; right?: boolean }> = [
  { title: 'instance', value: (o) => o.instanceId },
  { title: 'notice', value: (o) => o.kind },
  { title: 'was', value: (o) => `${o.instanceType} ${o.capacityType} ${o.zone}` },
  { title: 'cordon', value: (o) => seconds(o.timeToCordonSeconds), right: true },
  { title: 'replacement', value: (o) => (o.replacement ? `${o.replacement.instanceType} ${o.replacement.capacityType} ${o.replacement.zone}` : '-') },
  { title: 'ready', value: (o) => seconds(o.timeToReplacementReadySeconds), right: true },
  { title: 'evicted', value: (o) => String(o.podsEvicted), right: true },
  { title: 'killed', value: (o) => String(o.podsKilled), right: true },
  { title: 'max pending', value: (o) => seconds(o.longestPendingSeconds), right: true },
  { title: 'PDB viol.', value: (o) => String(o.pdbViolations), right: true },
  { title: '$/h before', value: (o) => o.hourlyCostBefore.toFixed(3), right: true },
  { title: '$/h after', value: (o) => (o.hourlyCostAfter == null ? '-' : o.hourlyCostAfter.toFixed(3)), right: true },
];

export function formatReport(
  report: InterruptionReport,
  run: { executions: ExecutionRecord[]; deadLetters: number; wallSeconds: number },
): string {
  const rows = report.interruptions.map((o) => COLUMNS.map((c) => c.value(o)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (COLUMNS[i]!.right ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const t = report.totals;
  const succeeded = run.executions.filter((e) => e.status === 'SUCCEEDED').length;
  const failed = run.executions.filter((e) => e.status === 'FAILED');
  const out: string[] = [
    '',
    `Interruptions (${report.scenario}, seed ${report.seed}; times in seconds from the notice)`,
    line(COLUMNS.map((c) => c.title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `simulated ${report.start} -> ${report.end} in ${run.wallSeconds.toFixed(1)} s of wall time`,
    `workflows: ${run.executions.length} executions, ${succeeded} succeeded, ${failed.length} failed; dead-lettered events: ${run.deadLetters}`,
    `cordon: mean ${seconds(t.meanTimeToCordonSeconds)} s, max ${seconds(t.maxTimeToCordonSeconds)} s; ` +
      `replacement Ready: mean ${seconds(t.meanTimeToReplacementReadySeconds)} s, max ${seconds(t.maxTimeToReplacementReadySeconds)} s`,
    `pods evicted ${t.podsEvicted}, killed ${t.podsKilled}, longest pending ${seconds(t.longestPendingSeconds)} s, pending at end ${t.podsPendingAtEnd}`,
    `PDB violations: ${t.pdbViolations}`,
    `cluster cost: $${t.hourlyCostAtStart.toFixed(3)}/h at start, $${t.hourlyCostAtEnd.toFixed(3)}/h at end`,
  ];
  for (const execution of failed) out.push(`FAILED ${execution.name}: ${execution.error}`);
  for (const violation of report.violations) {
    out.push(`violation at ${violation.at}: ${violation.pdb} lost ${violation.pod} on ${violation.node} (${violation.cause})`);
  }
  for (const warning of report.warnings) out.push(`warning: ${warning}`);
  return `${out.join('\n')}\n`;
}

function seconds(value: number | null): string {
  return value === null ? '-' : value.toFixed(1);
}
