/**
 * The main job: synthesizes the example app (examples/typescript/app.ts) into demo.out/ with the four cdk-nag packs
 * and aws-cdk-lib's built-in validation, then prints a report (also written to demo.out/report.md): the stacks, the
 * resources per type, the security defaults in force as read back from the templates, and the compliance summary.
 * Exits 1 when any finding is left unacknowledged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { NAG_PACKS, acknowledgements, synthWithCompliancePacks } from './compliance';
import { defineApp } from '../examples/typescript/app';

const ROOT = path.join(__dirname, '..');
const OUTDIR = path.join(ROOT, 'demo.out');

type Template = { Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }> };

function main(): number {
  fs.rmSync(OUTDIR, { recursive: true, force: true });
  const context = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf-8')).context;
  const started = process.hrtime.bigint();
  const app = new App({ outdir: OUTDIR, context });
  const stacks = defineApp(app);
  const findings = synthWithCompliancePacks(app);
  const synthMs = Number(process.hrtime.bigint() - started) / 1e6;

  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out('# cdk-resilient-postgres: example app report');
  out();
  out(`Synthesized into \`${path.relative(ROOT, OUTDIR)}/\` in ${synthMs.toFixed(0)} ms (construction, the four cdk-nag packs, built-in validation and writing the assembly).`);

  for (const stack of stacks) {
    const template: Template = JSON.parse(fs.readFileSync(path.join(OUTDIR, stack.templateFile), 'utf-8'));
    const resources = Object.values(template.Resources);
    out();
    out(`## Stack ${stack.stackName} (${stack.region}, account ${stack.account})`);
    out();
    out(`${resources.length} resources:`);
    out();
    out('| type | count |');
    out('|---|---|');
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
    for (const [type, n] of [...counts].sort()) out(`| ${type} | ${n} |`);

    for (const [id, db] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::RDS::DBInstance')) {
      const p = db.Properties;
      const paramGroup = Object.values(template.Resources).find((r) => r.Type === 'AWS::RDS::DBParameterGroup'
        && JSON.stringify(p.DBParameterGroupName).includes(Object.keys(template.Resources).find((k) => template.Resources[k] === r)!));
      const rotation = Object.values(template.Resources).find((r) => r.Type === 'AWS::SecretsManager::RotationSchedule');
      const key = Object.values(template.Resources).find((r) => r.Type === 'AWS::KMS::Key' && JSON.stringify(p.KmsKeyId).includes(
        Object.keys(template.Resources).find((k) => template.Resources[k] === r)!));
      out();
      out(`### Security defaults in force: ${p.DBInstanceIdentifier} (${id})`);
      out();
      out('| setting | value |');
      out('|---|---|');
      const row = (k: string, v: unknown) => out(`| ${k} | ${typeof v === 'string' ? v : JSON.stringify(v)} |`);
      row('engine', `${p.Engine} ${p.EngineVersion}`);
      row('instance class', p.DBInstanceClass);
      row('Multi-AZ', p.MultiAZ);
      row('storage encrypted', `${p.StorageEncrypted} (customer-managed KMS key, rotation ${key?.Properties?.EnableKeyRotation ? 'on' : 'OFF'})`);
      row('TLS enforced (rds.force_ssl)', paramGroup?.Properties?.Parameters?.['rds.force_ssl'] === '1');
      row('minimum TLS version', paramGroup?.Properties?.Parameters?.ssl_min_protocol_version);
      row('IAM database authentication', p.EnableIAMDatabaseAuthentication === true);
      row('publicly accessible', p.PubliclyAccessible);
      row('master password', `generated secret, rotated ${rotation?.Properties?.RotationRules?.ScheduleExpression ?? 'never'}`);
      row('deletion protection', p.DeletionProtection);
      row('removal policy', db.DeletionPolicy);
      row('backup retention (days)', p.BackupRetentionPeriod);
      row('copy tags to snapshots', p.CopyTagsToSnapshot);
      row('log exports', (p.EnableCloudwatchLogsExports ?? []).join(', '));
      row('Performance Insights', `${p.EnablePerformanceInsights} (KMS-encrypted, ${p.PerformanceInsightsRetentionPeriod} days)`);
      row('enhanced monitoring interval (s)', p.MonitoringInterval);
      row('auto minor version upgrade', p.AutoMinorVersionUpgrade);
      row('storage', `${p.StorageType}, ${p.AllocatedStorage} GiB, autoscaling to ${p.MaxAllocatedStorage} GiB`);
    }
  }

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
  out(findings.length === 0 ? 'Result: zero unacknowledged findings.' : `Result: ${findings.length} unacknowledged findings.`);

  const report = lines.join('\n') + '\n';
  fs.writeFileSync(path.join(OUTDIR, 'report.md'), report);
  process.stdout.write(report);
  return findings.length === 0 ? 0 : 1;
}

process.exitCode = main();
