/**
 * The sections of the report read back from the templates: the stacks and their resources, the security defaults of
 * each database, the recovery data per Region, the failover names with their health checks, the alarm and paging
 * summary, the promotion role and the failover runbook.
 */
import { Paging, alarmsThatPage } from './paging';
import { StackTemplate, Template, TemplateResource, referenced } from './template';

/** Appends a line to the report. */
export type Out = (line?: string) => void;

/** The stack's resources per type, and the security defaults of each of its databases. */
export function stackSection(stack: StackTemplate, out: Out): void {
  const resources = Object.values(stack.template.Resources);
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
  for (const [id, db] of Object.entries(stack.template.Resources).filter(([, r]) => r.Type === 'AWS::RDS::DBInstance')) {
    securityDefaults(stack.template, id, db, out);
  }
}

function securityDefaults(template: Template, id: string, db: TemplateResource, out: Out): void {
  const p = db.Properties ?? {};
  const replica = p.SourceDBInstanceIdentifier !== undefined;
  const paramGroup = referenced(template, p.DBParameterGroupName);
  const rotation = Object.values(template.Resources).find((r) => r.Type === 'AWS::SecretsManager::RotationSchedule');
  const key = referenced(template, p.KmsKeyId);
  out();
  out(`### Security defaults in force: ${p.DBInstanceIdentifier ?? id} (${id}${replica ? ', cross-Region read replica' : ''})`);
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
  const keyText = key ? `customer-managed KMS key in this Region, rotation ${key.Properties?.EnableKeyRotation ? 'on' : 'OFF'}`
    : (p.KmsKeyId ? `KMS key ${JSON.stringify(p.KmsKeyId)}` : 'the AWS managed key');
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

/** The keys and the backup retention per Region. */
export function recoveryDataPerRegion(stacks: StackTemplate[], out: Out): void {
  const keys = new Map<string, string[]>();
  const retention: Array<[string, string, string]> = [];
  const addKey = (region: string, text: string) => keys.set(region, [...(keys.get(region) ?? []), text]);
  for (const { region, template } of stacks) {
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
        for (const rule of p.BackupPlan?.BackupPlanRule ?? []) {
          retention.push([region, `AWS Backup plan ${p.BackupPlan.BackupPlanName}, rule ${rule.RuleName} (${rule.ScheduleExpression})`, `${rule.Lifecycle?.DeleteAfterDays} days`]);
          for (const copy of rule.CopyActions ?? []) {
            const arn = String(copy.DestinationBackupVaultArn);
            retention.push([arn.split(':')[3] ?? region, `AWS Backup copies in ${arn.split(':').pop()}`, `${copy.Lifecycle?.DeleteAfterDays} days`]);
          }
        }
      }
      if (r.Type === 'AWS::Backup::BackupVault' && p.LockConfiguration) {
        const lock = p.LockConfiguration;
        retention.push([region, `vault lock on ${p.BackupVaultName}`, `min ${lock.MinRetentionDays} / max ${lock.MaxRetentionDays ?? '-'} days`]);
      }
      if (r.Type === 'AWS::Backup::RestoreTestingPlan') {
        retention.push([region, `restore testing ${p.RestoreTestingPlanName} (${p.ScheduleExpression})`, `latest recovery point within ${p.RecoveryPointSelection?.SelectionWindowDays} days`]);
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

/** When a health check is healthy, in words: its alarm is OK, or enough of its children are healthy. */
function describeCheck(template: Template, check: any): string {
  if (!check) return '-';
  if (check.Type === 'CLOUDWATCH_METRIC') {
    const words: Record<string, string> = { Unhealthy: 'unhealthy', Healthy: 'healthy', LastKnownStatus: 'last known status' };
    const noData = words[check.InsufficientDataHealthStatus];
    return `alarm \`${check.AlarmIdentifier?.Name}\` (${check.AlarmIdentifier?.Region}) is OK; no data = ${noData}`;
  }
  if (check.Type === 'CALCULATED') {
    const children = (check.ChildHealthChecks ?? [])
      .map((c: unknown) => describeCheck(template, referenced(template, c)?.Properties?.HealthCheckConfig));
    return `${check.HealthThreshold} of ${children.length}: ${children.join(' AND ')}`;
  }
  return check.Type;
}

/**
 * The hosted zones with their failover records and health checks, the alarm summary per stack (how many alarms notify
 * a topic somebody subscribes to), the promotion role and the failover runbook.
 */
export function failoverAndHealthSignals(stacks: StackTemplate[], page: Paging, out: Out): void {
  out();
  out('## Failover names and health signals');
  for (const { stackName, template } of stacks) {
    for (const zone of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53::HostedZone')) {
      const vpcs: any[] = zone.Properties?.VPCs ?? [];
      out();
      out(vpcs.length > 0
        ? `Private hosted zone \`${zone.Properties.Name}\` (stack ${stackName}), resolvable from VPCs in ${vpcs.map((v) => v.VPCRegion).join(' and ')}.`
        : `Public hosted zone \`${zone.Properties?.Name}\` (stack ${stackName}).`);
      out();
      out('| name | failover | answer | TTL | health check | healthy when |');
      out('|---|---|---|---|---|---|');
      for (const rec of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet')) {
        const p = rec.Properties ?? {};
        const check = referenced(template, p.HealthCheckId)?.Properties?.HealthCheckConfig;
        const first = (p.ResourceRecords ?? [])[0];
        const answer = first === undefined ? (p.AliasTarget ? 'alias' : '-')
          : typeof first === 'string' ? first : `endpoint of ${JSON.stringify(first).match(/"(\w+?)Instance/)?.[1] ?? 'this stack\'s instance'}`;
        out(`| ${p.Name} | ${p.Failover ?? '-'} | ${answer} | ${p.TTL ?? '-'} s | ${check?.Type ?? '-'} | ${describeCheck(template, check)} |`);
      }
    }
  }
  out();
  out('| stack | CloudWatch alarms | alarms that page someone (topic with a subscriber) | probe functions | RDS event subscriptions | dashboards |');
  out('|---|---|---|---|---|---|');
  for (const stack of stacks) {
    const of = (type: string) => Object.values(stack.template.Resources).filter((r) => r.Type === type);
    const probes = of('AWS::Lambda::Function').filter((f) => String(f.Properties?.Description).startsWith('Writable-primary probe'));
    const { alarms, paging } = alarmsThatPage(stack, page);
    out(`| ${stack.stackName} | ${alarms} | ${alarms === 0 ? '-' : `${paging} of ${alarms}${paging < alarms ? ' (NOT ALL)' : ''}`} | `
      + `${probes.map((f) => `${f.Properties.Runtime}, deadline ${Number(f.Properties.Environment?.Variables?.PROBE_TIMEOUT_MS) / 1000} s`).join('; ') || '-'} | `
      + `${of('AWS::RDS::EventSubscription').length} | ${of('AWS::CloudWatch::Dashboard').length} |`);
  }
  for (const { stackName, template } of stacks) {
    const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy'
      && String(r.Properties?.Description).startsWith('Promotion of the DR read replica'));
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
  failoverRunbook(stacks, out);
}

/** The lookback in seconds from the GetMetricData StartTime expression `$fromMillis($toMillis($now()) - <ms>)`. */
function lookback(startTime: string): number {
  return Number(/- (\d+)\)/.exec(startTime)?.[1] ?? NaN) / 1000;
}

/** The failover runbooks (state machines of FailoverRunbook): how they start, their guards, retries and loop bound. */
function failoverRunbook(stacks: StackTemplate[], out: Out): void {
  for (const { stackName, region, template } of stacks) {
    for (const machine of Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')) {
      let asl: any;
      try {
        asl = JSON.parse(machine.Properties?.DefinitionString);
      } catch {
        continue;
      }
      if (!String(asl.Comment).includes('FailoverRunbook')) continue;
      const states: Record<string, any> = asl.States;
      const count = (type: string) => Object.values(states).filter((st) => st.Type === type).length;
      const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule'
        && JSON.stringify(r.Properties?.Targets ?? []).includes('StateMachine'));
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
      try {
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
      } catch {
        out('| - | the definition has states this report does not know (a different library version) |');
      }
    }
  }
}
