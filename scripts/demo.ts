/**
 * The main job: synthesizes the reference app (examples/typescript/app.ts, built with MultiRegionPostgres) into
 * demo.out/ with the four cdk-nag packs and aws-cdk-lib's built-in validation, then prints a report (also written to
 * demo.out/report.md): the stacks, the resources per type, the security defaults in force as read back from the
 * templates, the recovery data per Region, the failover names with their health checks and alarms, the failover
 * runbook, the RTO/RPO budget table term by term, the compliance summary, and an architecture diagram drawn from the
 * synthesized templates (demo.out/architecture.mmd, Mermaid). Exits 1 when any finding or built-in validation warning
 * is left unacknowledged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
// The compiled library: the same module the example app loads through node_modules/cdk-resilient-postgres (a link to
// the repository root), so `instanceof` holds.
import { FailoverRunbook, ObjectiveBudget, ResilienceObjectives } from '../lib';
import { NAG_PACKS, acknowledgements, synthWithCompliancePacks } from './compliance';
import { defineApp } from '../examples/typescript/app';

const ROOT = path.join(__dirname, '..');
const OUTDIR = path.join(ROOT, 'demo.out');

type Template = {
  Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
};

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
  out('# cdk-resilient-postgres: reference app report');
  out();
  out(`Synthesized into \`${path.relative(ROOT, OUTDIR)}/\` in ${synthMs.toFixed(0)} ms (construction, the four cdk-nag packs, built-in validation and writing the assembly).`);

  // Each synthesized template, read once.
  const templates = stacks.map((stack) => ({
    stackName: stack.stackName,
    region: stack.region,
    template: JSON.parse(fs.readFileSync(path.join(OUTDIR, stack.templateFile), 'utf-8')) as Template,
  }));

  for (const [i, stack] of stacks.entries()) {
    const template = templates[i].template;
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
      securityDefaults(template, id, db, out);
    }
  }

  recoveryDataPerRegion(templates, out);

  failoverAndHealthSignals(templates, out);

  const objectives = app.node.findAll().filter((c): c is ResilienceObjectives => c instanceof ResilienceObjectives);
  for (const o of objectives) budgetTable(o.node.path, o.budgets, out);
  // The runbook publishes the same Region failure budgets: the sums of the same terms.
  const runbooks = app.node.findAll().filter((c): c is FailoverRunbook => c instanceof FailoverRunbook);
  for (const r of runbooks) {
    out();
    out(`The runbook ${r.node.path} publishes the same Region failure figures: rtoBudget **${r.rtoBudget.budgetSeconds} s**, `
      + `rpoBudget **${r.rpoBudget.budgetSeconds} s** (\`runbook.rtoTerms\` and the failover records' \`dnsTerms\`, \`runbook.rpoTerms\`).`);
  }

  const diagram = architectureDiagram(templates);
  fs.writeFileSync(path.join(OUTDIR, 'architecture.mmd'), diagram);
  out();
  out(`## Architecture (drawn from the synthesized templates; also in \`${path.relative(ROOT, OUTDIR)}/architecture.mmd\`)`);
  out();
  out('```mermaid');
  out(diagram.trimEnd());
  out('```');

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

  const report = lines.join('\n') + '\n';
  fs.writeFileSync(path.join(OUTDIR, 'report.md'), report);
  process.stdout.write(report);
  return failed === 0 ? 0 : 1;
}

/** The RTO/RPO budget table of one ResilienceObjectives, term by term with its source. */
function budgetTable(where: string, budgets: ObjectiveBudget[], out: (s?: string) => void): void {
  out();
  out(`## Recovery objectives (${where})`);
  out();
  out('| failure | objective | target | worst case | headroom | result |');
  out('|---|---|---|---|---|---|');
  for (const b of budgets) {
    const target = b.targetSeconds === undefined ? '-' : `${b.targetSeconds} s`;
    const headroom = b.headroom === undefined ? '-' : `${Math.floor(b.headroom * 1000) / 10} %`;
    const result = b.targetSeconds === undefined ? 'not checked' : 'met';
    out(`| ${b.scenario} | ${b.measure} | ${target} | **${b.budgetSeconds} s** | ${headroom} | ${result} |`);
  }
  out();
  out('| failure | objective | term | seconds | how | set by | source |');
  out('|---|---|---|---|---|---|---|');
  for (const b of budgets) {
    for (const t of b.terms) {
      out(`| ${b.scenario} | ${b.measure} | ${t.name}${t.assumed ? ' (assumed)' : ''} | ${t.seconds} | ${t.basis} | ${t.setBy} | ${t.source} |`);
    }
  }
}

/**
 * A Mermaid flowchart of the assembly: one subgraph per stack, its databases, vaults, backup plans, private zones,
 * state machines and probes, and the edges the templates imply (replication, replicated backups, backup copies, DNS
 * answers, promotion).
 */
function architectureDiagram(templates: Array<{ stackName: string; region: string; template: Template }>): string {
  const lines = ['flowchart LR'];
  const edges: string[] = [];
  const nodeId = (stack: string, id: string) => `${stack}_${id}`.replace(/[^A-Za-z0-9_]/g, '_');
  const dbNode = new Map<string, string>();
  const vaultNode = new Map<string, string>();
  for (const { stackName, region, template } of templates) {
    lines.push(`  subgraph ${nodeId(stackName, 'stack')}["${stackName} (${region})"]`);
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      const n = nodeId(stackName, id);
      switch (r.Type) {
        case 'AWS::RDS::DBInstance': {
          const replica = p.SourceDBInstanceIdentifier !== undefined;
          lines.push(`    ${n}[("${p.DBInstanceIdentifier}<br/>${replica ? 'cross-Region read replica' : (p.MultiAZ ? 'Multi-AZ primary' : 'primary')}, ${p.DBInstanceClass}")]`);
          dbNode.set(p.DBInstanceIdentifier, n);
          break;
        }
        case 'AWS::Backup::BackupVault':
          lines.push(`    ${n}["backup vault ${p.BackupVaultName}${p.LockConfiguration ? '<br/>vault lock' : ''}"]`);
          vaultNode.set(p.BackupVaultName, n);
          break;
        case 'AWS::Route53::HostedZone':
          lines.push(`    ${n}{{"private zone ${p.Name}"}}`);
          break;
        case 'AWS::StepFunctions::StateMachine':
          lines.push(`    ${n}[["failover runbook<br/>${p.StateMachineName}"]]`);
          break;
        case 'AWS::Lambda::Function':
          if (String(p.Description).startsWith('Writable-primary probe')) lines.push(`    ${n}(["writable probe"])`);
          break;
        default:
          break;
      }
    }
    lines.push('  end');
  }
  for (const { stackName, template } of templates) {
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      const n = nodeId(stackName, id);
      if (r.Type === 'AWS::RDS::DBInstance' && typeof p.SourceDBInstanceIdentifier === 'string') {
        const source = dbNode.get(p.SourceDBInstanceIdentifier.split(':').pop());
        if (source) edges.push(`  ${source} -. "asynchronous replication" .-> ${n}`);
      }
      if (r.Type === 'AWS::RDS::DBInstance' && p.AutomaticBackupReplicationRegion) {
        edges.push(`  ${n} -. "automated backups replicated to ${p.AutomaticBackupReplicationRegion}" .-> ${nodeId(stackName, 'pitr')}[("replicated backups<br/>(point-in-time restore)")]`);
      }
      if (r.Type === 'AWS::Backup::BackupPlan') {
        for (const copy of p.BackupPlan.BackupPlanRule.flatMap((rule: any) => rule.CopyActions ?? [])) {
          const vault = vaultNode.get(String(copy.DestinationBackupVaultArn).split(':').pop()!);
          const source = [...dbNode.values()].find((d) => d.startsWith(`${stackName}_`));
          if (vault && source) edges.push(`  ${source} -- "AWS Backup copies" --> ${vault}`);
        }
      }
      if (r.Type === 'AWS::Route53::RecordSet') {
        const zone = Object.entries(template.Resources).find(([, z]) => z.Type === 'AWS::Route53::HostedZone');
        const answer = JSON.stringify(p.ResourceRecords);
        const target = [...dbNode].find(([identifier]) => answer.includes(`${identifier}.`) || answer.includes(`"${Object.keys(template.Resources)
          .find((k) => template.Resources[k].Properties?.DBInstanceIdentifier === identifier)}"`));
        if (zone && target) edges.push(`  ${nodeId(stackName, zone[0])} -- "${p.Name.split('.')[0]} ${p.Failover}" --> ${target[1]}`);
      }
      if (r.Type === 'AWS::StepFunctions::StateMachine') {
        const identifier = JSON.parse(p.DefinitionString).States?.Promote?.Arguments?.DBInstanceIdentifier;
        const target = dbNode.get(identifier);
        if (target) edges.push(`  ${n} -- "promotes (guarded)" --> ${target}`);
      }
      if (r.Type === 'AWS::Lambda::Function' && String(p.Description).startsWith('Writable-primary probe')) {
        const identifier = p.Environment?.Variables?.DB_INSTANCE_IDENTIFIER;
        const target = dbNode.get(identifier);
        if (target) edges.push(`  ${n} -- "SELECT pg_is_in_recovery()" --> ${target}`);
      }
    }
  }
  return [...lines, ...edges].join('\n') + '\n';
}

/** The resource a property's `Ref` or `Fn::GetAtt` points at. */
function referenced(template: Template, value: unknown): { Type: string; Properties?: any } | undefined {
  const text = JSON.stringify(value ?? '');
  const id = Object.keys(template.Resources).find((k) => text.includes(`"${k}"`));
  return id ? template.Resources[id] : undefined;
}

function securityDefaults(template: Template, id: string, db: Template['Resources'][string], out: (s?: string) => void): void {
  const p = db.Properties;
  const replica = p.SourceDBInstanceIdentifier !== undefined;
  const paramGroup = referenced(template, p.DBParameterGroupName);
  const rotation = Object.values(template.Resources).find((r) => r.Type === 'AWS::SecretsManager::RotationSchedule');
  const key = referenced(template, p.KmsKeyId);
  out();
  out(`### Security defaults in force: ${p.DBInstanceIdentifier} (${id}${replica ? ', cross-Region read replica' : ''})`);
  out();
  out('| setting | value |');
  out('|---|---|');
  const row = (k: string, v: unknown) => out(`| ${k} | ${typeof v === 'string' ? v : JSON.stringify(v)} |`);
  if (replica) {
    row('source', p.SourceDBInstanceIdentifier);
    row('engine', `the source's (parameter group family ${paramGroup?.Properties?.Family})`);
  } else {
    row('engine', `${p.Engine} ${p.EngineVersion}`);
  }
  row('instance class', p.DBInstanceClass);
  row('Multi-AZ', p.MultiAZ);
  const keyText = `customer-managed KMS key in this Region, rotation ${key?.Properties?.EnableKeyRotation ? 'on' : 'OFF'}`;
  row('storage encrypted', replica ? `yes, inherited from the source, with KmsKeyId (${keyText})` : `${p.StorageEncrypted} (${keyText})`);
  row('TLS enforced (rds.force_ssl)', paramGroup?.Properties?.Parameters?.['rds.force_ssl'] === '1');
  row('minimum TLS version', paramGroup?.Properties?.Parameters?.ssl_min_protocol_version);
  row('IAM database authentication', p.EnableIAMDatabaseAuthentication === true);
  row('publicly accessible', p.PubliclyAccessible);
  if (!replica) {
    row('master password', `generated secret, rotated ${rotation?.Properties?.RotationRules?.ScheduleExpression ?? 'never'}`);
  }
  row('deletion protection', p.DeletionProtection);
  row('removal policy', db.DeletionPolicy);
  row('backup retention (days)', replica ? 'none while replicating (turned on at promotion)' : p.BackupRetentionPeriod);
  row('copy tags to snapshots', p.CopyTagsToSnapshot);
  row('log exports', (p.EnableCloudwatchLogsExports ?? []).join(', '));
  row('Performance Insights', `${p.EnablePerformanceInsights} (KMS-encrypted, ${p.PerformanceInsightsRetentionPeriod} days)`);
  row('enhanced monitoring interval (s)', p.MonitoringInterval);
  row('auto minor version upgrade', p.AutoMinorVersionUpgrade);
  row('storage', `${p.StorageType}${p.AllocatedStorage ? `, ${p.AllocatedStorage} GiB` : ' (size from the source)'}, autoscaling to ${p.MaxAllocatedStorage} GiB`);
}

/** The keys and the backup retention per Region, read back from all templates. */
function recoveryDataPerRegion(templates: Array<{ region: string; template: Template }>, out: (s?: string) => void): void {
  const keys = new Map<string, string[]>();
  const retention: Array<[string, string, string]> = [];
  const addKey = (region: string, text: string) => keys.set(region, [...(keys.get(region) ?? []), text]);
  for (const { region, template } of templates) {
    for (const r of Object.values(template.Resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::KMS::Key') {
        addKey(region, `${p.Description ?? '(no description)'}; rotation ${p.EnableKeyRotation ? 'on' : 'OFF'}; ${r.DeletionPolicy ?? 'Delete'} on stack deletion`);
      }
      if (r.Type === 'AWS::RDS::DBInstance' && p.BackupRetentionPeriod) {
        retention.push([region, `${p.DBInstanceIdentifier}: automated backups (point-in-time recovery)`, `${p.BackupRetentionPeriod} days`]);
      }
      if (r.Type === 'AWS::RDS::DBInstance' && p.AutomaticBackupReplicationRegion) {
        retention.push([p.AutomaticBackupReplicationRegion, `${p.DBInstanceIdentifier}: replicated automated backups (point-in-time recovery), key ${p.AutomaticBackupReplicationKmsKeyId}`,
          `${p.AutomaticBackupReplicationRetentionPeriod} days`]);
      }
      if (r.Type === 'AWS::Backup::BackupPlan') {
        for (const rule of p.BackupPlan.BackupPlanRule) {
          retention.push([region, `AWS Backup plan ${p.BackupPlan.BackupPlanName}, rule ${rule.RuleName} (${rule.ScheduleExpression})`, `${rule.Lifecycle?.DeleteAfterDays} days`]);
          for (const copy of rule.CopyActions ?? []) {
            const arn = String(copy.DestinationBackupVaultArn);
            retention.push([arn.split(':')[3], `AWS Backup copies in ${arn.split(':').pop()}`, `${copy.Lifecycle?.DeleteAfterDays} days`]);
          }
        }
      }
      if (r.Type === 'AWS::Backup::BackupVault' && p.LockConfiguration) {
        const lock = p.LockConfiguration;
        retention.push([region, `vault lock on ${p.BackupVaultName}`, `min ${lock.MinRetentionDays} / max ${lock.MaxRetentionDays ?? '-'} days`]);
      }
      if (r.Type === 'AWS::Backup::RestoreTestingPlan') {
        retention.push([region, `restore testing ${p.RestoreTestingPlanName} (${p.ScheduleExpression})`, `latest recovery point within ${p.RecoveryPointSelection.SelectionWindowDays} days`]);
      }
    }
  }
  out();
  out('## Recovery data per Region');
  out();
  out('| Region | KMS keys |');
  out('|---|---|');
  for (const [region, list] of [...keys].sort()) {
    for (const k of list) out(`| ${region} | ${k} |`);
  }
  out();
  out('| Region | backups | retention |');
  out('|---|---|---|');
  for (const [region, what, days] of retention.sort((a, b) => a[0].localeCompare(b[0]))) out(`| ${region} | ${what} | ${days} |`);
}

/** The failover names, their health checks and the alarms behind them, the alarm count and the detection budget. */
function failoverAndHealthSignals(templates: Array<{ stackName: string; region: string; template: Template }>, out: (s?: string) => void): void {
  out();
  out('## Failover names and health signals');
  const alarmRegion = new Map<string, string>();
  for (const { region, template } of templates) {
    for (const r of Object.values(template.Resources)) {
      if (r.Type === 'AWS::CloudWatch::Alarm') alarmRegion.set(r.Properties.AlarmName, region);
    }
  }
  for (const { stackName, template } of templates) {
    const zones = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53::HostedZone');
    for (const zone of zones) {
      out();
      out(`Private hosted zone \`${zone.Properties.Name}\` (stack ${stackName}), resolvable from VPCs in `
        + `${zone.Properties.VPCs.map((v: any) => v.VPCRegion).join(' and ')}.`);
      out();
      out('| name | failover | answer | TTL | health check | healthy when |');
      out('|---|---|---|---|---|---|');
      for (const rec of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet')) {
        const p = rec.Properties;
        const check = referenced(template, p.HealthCheckId)?.Properties?.HealthCheckConfig;
        const answer = typeof p.ResourceRecords[0] === 'string' ? p.ResourceRecords[0] : `endpoint of ${JSON.stringify(p.ResourceRecords[0]).match(/"(\w+?)Instance/)?.[1] ?? 'this stack\'s instance'}`;
        const healthy = describeCheck(template, check);
        out(`| ${p.Name} | ${p.Failover} | ${answer} | ${p.TTL} s | ${check?.Type} | ${healthy} |`);
      }
    }
  }
  out();
  out('| stack | CloudWatch alarms | every alarm has an action | probe functions | RDS event subscriptions | dashboards |');
  out('|---|---|---|---|---|---|');
  for (const { stackName, template } of templates) {
    const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    const alarms = of('AWS::CloudWatch::Alarm');
    const probes = of('AWS::Lambda::Function').filter((f) => String(f.Properties.Description).startsWith('Writable-primary probe'));
    out(`| ${stackName} | ${alarms.length} | ${alarms.every((a) => (a.Properties.AlarmActions ?? []).length > 0) ? 'yes' : 'NO'} | `
      + `${probes.map((f) => `${f.Properties.Runtime}, deadline ${Number(f.Properties.Environment.Variables.PROBE_TIMEOUT_MS) / 1000} s`).join('; ') || '-'} | `
      + `${of('AWS::RDS::EventSubscription').length} | ${of('AWS::CloudWatch::Dashboard').length} |`);
  }
  for (const { stackName, template } of templates) {
    const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'
      && String(r.Properties.Description).startsWith('Promotion of the DR read replica'));
    for (const policy of policies) {
      out();
      out(`Promotion role (stack ${stackName}), one customer-managed policy, no AWS-managed policy:`);
      out();
      out('| statement | actions | resource | condition |');
      out('|---|---|---|---|');
      for (const st of policy.Properties.PolicyDocument.Statement) {
        const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : 'a resource of this stack')).join(', ');
        out(`| ${st.Sid} | ${list(st.Action)} | ${list(st.Resource)} | ${st.Condition ? Object.keys(Object.values(st.Condition)[0] as object).join(', ') : '-'} |`);
      }
    }
  }
  failoverRunbook(templates, out);
  const bundle = path.join(ROOT, 'assets', 'writable-probe', 'db-probe.lambda', 'index.js');
  if (fs.existsSync(bundle)) {
    out();
    out(`Probe bundle (assets/writable-probe/db-probe.lambda/index.js): ${(fs.statSync(bundle).size / 1024).toFixed(0)} KB.`);
  }
}

/** The lookback in seconds from the GetMetricData StartTime expression `$fromMillis($toMillis($now()) - <ms>)`. */
function lookback(startTime: string): number {
  return Number(/- (\d+)\)/.exec(startTime)?.[1] ?? NaN) / 1000;
}

/** When a health check is healthy, in words: its alarm is OK, or enough of its children are healthy. */
function describeCheck(template: Template, check: any): string {
  if (!check) return '-';
  if (check.Type === 'CLOUDWATCH_METRIC') {
    const noData = { Unhealthy: 'unhealthy', Healthy: 'healthy', LastKnownStatus: 'last known status' }[check.InsufficientDataHealthStatus as string];
    return `alarm \`${check.AlarmIdentifier.Name}\` (${check.AlarmIdentifier.Region}) is OK; no data = ${noData}`;
  }
  if (check.Type === 'CALCULATED') {
    const children = check.ChildHealthChecks.map((c: unknown) => describeCheck(template, referenced(template, c)?.Properties?.HealthCheckConfig));
    return `${check.HealthThreshold} of ${children.length}: ${children.join(' AND ')}`;
  }
  return check.Type;
}

/** The failover runbook: how it starts, its guards, its retries and loop bound, and the RTO budget. */
function failoverRunbook(templates: Array<{ stackName: string; region: string; template: Template }>, out: (s?: string) => void): void {
  for (const { stackName, region, template } of templates) {
    for (const machine of Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')) {
      const asl = JSON.parse(machine.Properties.DefinitionString);
      const states: Record<string, any> = asl.States;
      const count = (type: string) => Object.values(states).filter((st) => st.Type === type).length;
      const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule'
        && JSON.stringify(r.Properties.Targets ?? []).includes('StateMachine'));
      const condition = (name: string, i = 0) => String(states[name]?.Choices?.[i]?.Condition ?? '-').replace(/^\{% | %\}$/g, '');
      out();
      out('## Failover runbook');
      out();
      out(`State machine \`${machine.Properties.StateMachineName}\` (stack ${stackName}, ${region}): ${asl.QueryLanguage}, `
        + `${Object.keys(states).length} states (${count('Task')} tasks, ${count('Choice')} choices, ${count('Fail')} refusals and failures), `
        + `tracing ${machine.Properties.TracingConfiguration?.Enabled ? 'on' : 'OFF'}, logs ${machine.Properties.LoggingConfiguration?.Level}.`);
      out();
      out('| step | what the definition says |');
      out('|---|---|');
      out(`| start | ${rule ? 'EventBridge rule on the replication-stalled alarm going to ALARM, or an operator' : 'an operator (start-execution)'} |`);
      out(`| idempotency | \`${condition('ClassifyReplica')}\` → resume without promoting |`);
      out(`| evidence | alarms ${states.ReadEvidence.Arguments.AlarmNames.map((n: string) => `\`${n}\``).join(', ')} in ALARM, plus RDS replication status; \`${condition('EnoughEvidence')}\`, else refused unless forced |`);
      out(`| RPO guard | ReplicaLag over the last ${lookback(states.ReadLag.Arguments.StartTime)} s (GetMetricData): \`${condition('LagWithinRpo')}\`, else refused unless forced |`);
      out(`| approval | ${states.RequestApproval ? `task token on the topic, timeout ${states.RequestApproval.TimeoutSeconds} s` : 'none'} |`);
      out(`| promote | PromoteReadReplica, BackupRetentionPeriod ${states.Promote.Arguments.BackupRetentionPeriod} days; retries ${states.Promote.Retry[0].ErrorEquals.join(', ')} `
        + `× ${states.Promote.Retry[0].MaxAttempts} (backoff ${states.Promote.Retry[0].BackoffRate}, jitter) |`);
      out(`| poll | every ${states.WaitForPromotion.Seconds} s; \`${condition('PromotionDone', 1)}\` → failed |`);
      out(`| writable | PutMetricData ${states.PublishWritable.Arguments.Namespace} ${states.PublishWritable.Arguments.MetricData.map((m: any) => `${m.MetricName}=${m.Value}`).join(', ')} |`);
      out(`| fence | tags ${states.RecordFence.Arguments.Tags.map((t: any) => `\`${t.Key}\``).join(', ')}${states.ReadFence ? `; reads \`${states.ReadFence.Arguments.AlarmNames[0]}\`` : ''} |`);
      out('| report | SNS at every step, and the RTO/RPO report as the execution output |');
    }
  }
}

process.exitCode = main();
