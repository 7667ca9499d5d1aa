/**
 * The main job: synthesizes the reference app (examples/typescript/app.ts, built with MultiRegionPostgres) into
 * demo.out/ with the four cdk-nag packs and aws-cdk-lib's built-in validation, then prints a report (also written to
 * demo.out/report.md): the stacks, the resources per type, the security defaults in force as read back from the
 * templates, the recovery data per Region, the failover names with their health checks and alarms, the failover
 * runbook, who gets paged, the RTO/RPO budget table term by term, the monthly cost estimate, the pre-deploy checklist,
 * an architecture diagram drawn from the synthesized templates (demo.out/architecture.mmd, Mermaid, and
 * demo.out/architecture.svg) and the compliance summary. The template sections come from src/report (the
 * `cdk-resilient-postgres report` command). Exits 1 when any finding or built-in validation warning is left
 * unacknowledged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
// The compiled library: the same module the example app loads through node_modules/cdk-resilient-postgres (a link to
// the repository root), so `instanceof` holds.
import { FailoverRunbook, ResilienceObjectives } from '../lib';
import { NAG_PACKS, acknowledgements, synthWithCompliancePacks } from './compliance';
import { defineApp } from '../examples/typescript/app';
import { readAssembly } from '../lib/report/assembly';
import { budgetTables } from '../lib/report/budgets';
import { buildReport } from '../lib/report/report';

const ROOT = path.join(__dirname, '..');
const OUTDIR = path.join(ROOT, 'demo.out');

function main(): number {
  fs.rmSync(OUTDIR, { recursive: true, force: true });
  const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf-8')).context;
  const started = process.hrtime.bigint();
  const app = new App({ outdir: OUTDIR, context });
  const stacks = defineApp(app);
  const findings = synthWithCompliancePacks(app);
  const synthMs = Number(process.hrtime.bigint() - started) / 1e6;

  // The same report `npx cdk-resilient-postgres report demo.out` prints, with the sections only the construct tree
  // gives: the probe bundle size and the recovery objectives' budget tables.
  const read = readAssembly(OUTDIR);
  const templates = stacks.map((stack) => read.find((s) => s.artifactId === stack.artifactId)!);
  const extra: string[] = [];
  const more = (s = '') => extra.push(s);
  const bundle = path.join(ROOT, 'assets', 'writable-probe', 'db-probe.lambda', 'index.js');
  if (fs.existsSync(bundle)) {
    more();
    more(`Probe bundle (assets/writable-probe/db-probe.lambda/index.js): ${(fs.statSync(bundle).size / 1024).toFixed(0)} KB.`);
  }
  const objectives = app.node.findAll().filter((c): c is ResilienceObjectives => c instanceof ResilienceObjectives);
  for (const o of objectives) {
    budgetTables(o.node.path, o.budgets, more, {
      unmeasuredNote: 'The measured column is empty in this offline demo: nothing has been measured here (no drill has run '
        + 'against a deployed database), so every assumed term stands as assumed. See "Measured figures" in '
        + 'docs/multi-region-postgres.md.',
    });
  }
  // The runbook publishes the same Region failure budgets: the sums of the same terms.
  const runbooks = app.node.findAll().filter((c): c is FailoverRunbook => c instanceof FailoverRunbook);
  for (const r of runbooks) {
    more();
    more(`The runbook ${r.node.path} publishes the same Region failure figures: rtoBudget **${r.rtoBudget.budgetSeconds} s**, `
      + `rpoBudget **${r.rpoBudget.budgetSeconds} s** (\`runbook.rtoTerms\` and the failover records' \`dnsTerms\`, \`runbook.rpoTerms\`).`);
  }
  const outdir = path.relative(ROOT, OUTDIR);
  const report = buildReport(templates, {
    title: 'cdk-resilient-postgres: reference app report',
    intro: [`Synthesized into \`${outdir}/\` in ${synthMs.toFixed(0)} ms (construction, the four cdk-nag packs, built-in validation and writing the assembly).`],
    extra,
    mermaidFile: `${outdir}/architecture.mmd`,
    svgFile: `${outdir}/architecture.svg`,
  });
  fs.writeFileSync(path.join(OUTDIR, 'architecture.mmd'), report.mermaid);
  fs.writeFileSync(path.join(OUTDIR, 'architecture.svg'), report.svg);
  const lines = report.markdown.trimEnd().split('\n');
  const out = (s = '') => lines.push(s);

  const assembly = new CloudAssembly(OUTDIR);
  const warnings = stacks.flatMap((stack) => assembly.getStackArtifact(stack.artifactId).messages
    .filter((m) => m.level === 'warning').map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`));

  const acknowledged = new Map<string, number>();
  for (const ack of acknowledgements(app)) {
    const plugin = ack.id.split('::')[0];
    acknowledged.set(plugin, (acknowledged.get(plugin) ?? 0) + 1);
  }
  out();
  out('## Compliance');
  out();
  out('| pack | unacknowledged findings | acknowledged (with reasons) |');
  out('|---|---|---|');
  for (const pack of [...NAG_PACKS, 'CloudFormation-Validate']) {
    out(`| ${pack === 'CloudFormation-Validate' ? 'aws-cdk-lib built-in rules' : pack} | ${findings.filter((f) => f.pluginName === pack).length} | ${acknowledged.get(pack) ?? 0} |`);
  }
  for (const f of findings) out(`- UNACKNOWLEDGED ${f.pluginName} ${f.ruleName} at ${f.constructPath}`);
  out();
  out(`| synth warnings (aws-cdk-lib and the library, unacknowledged) | ${warnings.length} | - |`);
  for (const w of warnings) out(`- WARNING ${w}`);
  out();
  const failed = findings.length + warnings.length;
  out(failed === 0 ? 'Result: zero unacknowledged findings and zero warnings.' : `Result: ${findings.length} unacknowledged findings, ${warnings.length} warnings.`);

  const text = lines.join('\n') + '\n';
  fs.writeFileSync(path.join(OUTDIR, 'report.md'), text);
  process.stdout.write(text);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
