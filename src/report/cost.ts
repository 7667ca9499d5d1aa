/**
 * A monthly cost estimate per Region from the templates: the resources that cost money while nothing fails, priced
 * with src/report/prices.ts. It excludes data transfer, request-based charges beyond those listed, backup growth,
 * logs, and free tiers.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_OnDemandDBInstances.html (a Multi-AZ DB instance is
 *   billed per instance-hour and per GB-month for both the primary and the standby)
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html (replica pricing: each replica
 *   is billed as a secret, per the pricing page)
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html (health checks of
 *   non-AWS endpoints cost more; the checks here are calculated or CloudWatch-alarm checks)
 */
import { HOURS_PER_MONTH, PRICES_AS_OF, price } from './prices';
import { StackTemplate, TemplateResource } from './template';

/** One line of the estimate. */
export interface CostLine {
  readonly region: string;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly priceName: string;
  readonly usdPerUnit: number;
  /** Rounded to cents, so that the lines add up to the total. */
  readonly monthlyUsd: number;
  readonly note?: string;
}

/** The estimate of one Region. */
export interface RegionCost {
  readonly region: string;
  readonly lines: CostLine[];
  /** The sum of the lines' monthlyUsd, in cents precision. */
  readonly totalUsd: number;
}

/** The average run time the estimate assumes for a scheduled Lambda invocation. */
export const ASSUMED_INVOCATION_SECONDS = 1;

const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
const cents = (n: number) => Math.round(n * 100) / 100;

/** Invocations per month of a schedule `rate(N unit)`; undefined for cron or other expressions. */
export function invocationsPerMonth(schedule: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (!m) return undefined;
  const perUnit = { minute: 1, hour: 60, day: 1440 }[m[2].replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return MINUTES_PER_MONTH / (Number(m[1]) * perUnit);
}

/** The monthly estimate per Region, Regions sorted by name. */
export function costEstimate(stacks: StackTemplate[]): RegionCost[] {
  const lines: CostLine[] = [];
  const add = (region: string, item: string, quantity: number, priceName: string, note?: string) => {
    const p = price(priceName, region);
    if (!p) {
      lines.push({ region, item, quantity, unit: '-', priceName, usdPerUnit: 0, monthlyUsd: 0, note: `no price for ${priceName} in the table: not estimated` });
      return;
    }
    const notes = [note, p.fallback ? `us-east-1 price (no ${region} price in the table)` : undefined, p.price.basis === 'assumed' ? 'price assumed' : undefined]
      .filter((n) => n !== undefined);
    lines.push({
      region,
      item,
      quantity,
      unit: p.price.unit,
      priceName,
      usdPerUnit: p.price.usd,
      monthlyUsd: cents(quantity * p.price.usd),
      note: notes.length > 0 ? notes.join('; ') : undefined,
    });
  };
  const dbs = stacks.flatMap((s) => Object.values(s.template.Resources).filter((r) => r.Type === 'AWS::RDS::DBInstance').map((r) => ({ stack: s, r })));
  const storageOf = (r: TemplateResource, depth = 0): number | undefined => {
    const p = r.Properties ?? {};
    if (p.AllocatedStorage !== undefined && !isNaN(Number(p.AllocatedStorage))) return Number(p.AllocatedStorage);
    if (typeof p.SourceDBInstanceIdentifier === 'string' && depth === 0) {
      const source = dbs.find((d) => d.r.Properties?.DBInstanceIdentifier === p.SourceDBInstanceIdentifier.split(':').pop());
      return source ? storageOf(source.r, 1) : undefined;
    }
    return undefined;
  };

  for (const stack of stacks) {
    const region = stack.region;
    const of = (type: string) => Object.entries(stack.template.Resources).filter(([, r]) => r.Type === type);
    for (const [id, r] of of('AWS::RDS::DBInstance')) {
      const p = r.Properties ?? {};
      const name = typeof p.DBInstanceIdentifier === 'string' ? p.DBInstanceIdentifier : id;
      const copies = p.MultiAZ === true || p.MultiAZ === 'true' ? 2 : 1;
      const az = copies === 2 ? 'Multi-AZ (primary and standby)' : 'Single-AZ';
      add(region, `RDS ${name}: ${p.DBInstanceClass} ${az}`, copies * HOURS_PER_MONTH, `rds.instance.${p.DBInstanceClass}`, 'instance-hours');
      const gb = storageOf(r);
      const type = String(p.StorageType ?? 'gp2');
      if (gb === undefined) {
        lines.push({ region, item: `RDS ${name}: storage`, quantity: 0, unit: '-', priceName: `rds.storage.${type}`, usdPerUnit: 0, monthlyUsd: 0, note: 'size unknown from the templates: not estimated' });
      } else {
        add(region, `RDS ${name}: ${type} storage ${gb} GiB ${az}`, copies * gb, `rds.storage.${type}`);
        const iops = Number(p.Iops ?? 0);
        if (type === 'gp3' && iops > 0) {
          const included = gb >= 400 ? 12000 : 3000;
          if (iops > included) add(region, `RDS ${name}: gp3 IOPS above ${included}`, copies * (iops - included), 'rds.storage.gp3.iops');
        }
        if (type === 'io1' || type === 'io2') add(region, `RDS ${name}: provisioned IOPS`, copies * iops, 'rds.storage.io1.iops');
        if (typeof p.AutomaticBackupReplicationRegion === 'string') {
          add(p.AutomaticBackupReplicationRegion, `RDS ${name}: replicated automated backups from ${region} (rough: one full copy)`, gb, 'rds.backup-storage');
        }
      }
    }
    const stackStorage = of('AWS::RDS::DBInstance').reduce((sum, [, r]) => sum + (storageOf(r) ?? 0), 0);
    for (const [, r] of of('AWS::Backup::BackupPlan')) {
      const plan = r.Properties?.BackupPlan ?? {};
      for (const rule of plan.BackupPlanRule ?? []) {
        if (stackStorage === 0) continue;
        add(region, `AWS Backup ${plan.BackupPlanName ?? ''} rule ${rule.RuleName}: recovery points (rough: one full copy)`.replace('  ', ' '), stackStorage, 'backup.rds-snapshot');
        for (const copy of rule.CopyActions ?? []) {
          const arn = String(copy.DestinationBackupVaultArn);
          const dest = arn.startsWith('arn:') ? arn.split(':')[3] : region;
          add(dest, `AWS Backup copies from ${region} into ${arn.split(':').pop()} (rough: one full copy)`, stackStorage, 'backup.rds-snapshot');
        }
      }
    }
    const count = (type: string) => of(type).length;
    if (count('AWS::KMS::Key') > 0) add(region, 'KMS customer managed keys', count('AWS::KMS::Key'), 'kms.key', 'rotated versions add $1 each');
    const alarms = of('AWS::CloudWatch::Alarm');
    const highRes = alarms.filter(([, r]) => Number(r.Properties?.Period ?? 60) < 60).length;
    if (alarms.length - highRes > 0) add(region, 'CloudWatch alarms (standard resolution)', alarms.length - highRes, 'cloudwatch.alarm.standard');
    if (highRes > 0) add(region, 'CloudWatch alarms (high resolution)', highRes, 'cloudwatch.alarm.high-resolution');
    if (count('AWS::CloudWatch::Dashboard') > 0) add(region, 'CloudWatch dashboards', count('AWS::CloudWatch::Dashboard'), 'cloudwatch.dashboard', 'free within the first three of the account');
    if (count('AWS::Route53::HostedZone') > 0) add(region, 'Route 53 hosted zones (global, listed with their stack)', count('AWS::Route53::HostedZone'), 'route53.hosted-zone');
    if (count('AWS::Route53::HealthCheck') > 0) add(region, 'Route 53 health checks (global, listed with their stack)', count('AWS::Route53::HealthCheck'), 'route53.health-check');
    for (const [, rule] of of('AWS::Events::Rule')) {
      const perMonth = typeof rule.Properties?.ScheduleExpression === 'string' ? invocationsPerMonth(rule.Properties.ScheduleExpression) : undefined;
      if (perMonth === undefined) continue;
      for (const target of rule.Properties.Targets ?? []) {
        const fnId = Object.keys(stack.template.Resources).find((k) => JSON.stringify(target.Arn ?? '').includes(`"${k}"`));
        const fn = fnId ? stack.template.Resources[fnId] : undefined;
        if (fn?.Type !== 'AWS::Lambda::Function') continue;
        const memoryGb = Number(fn.Properties?.MemorySize ?? 128) / 1024;
        const arch = (fn.Properties?.Architectures ?? ['x86_64'])[0] === 'arm64' ? 'arm64' : 'x86_64';
        add(region, `Lambda ${fnId}: ${rule.Properties.ScheduleExpression} requests`, perMonth / 1e6, 'lambda.request', `${Math.round(perMonth)} invocations`);
        add(region, `Lambda ${fnId}: duration at ${fn.Properties?.MemorySize ?? 128} MB`, perMonth * ASSUMED_INVOCATION_SECONDS * memoryGb, `lambda.duration.${arch}`,
          `assumed ${ASSUMED_INVOCATION_SECONDS} s per invocation`);
      }
    }
    for (const [id, r] of of('AWS::SecretsManager::Secret')) {
      add(region, `Secrets Manager secret ${typeof r.Properties?.Name === 'string' ? r.Properties.Name : id}`, 1, 'secretsmanager.secret');
      for (const replica of r.Properties?.ReplicaRegions ?? []) {
        add(String(replica.Region), `Secrets Manager replica of ${id} from ${region}`, 1, 'secretsmanager.secret');
      }
    }
    for (const [id, r] of of('AWS::EC2::VPCEndpoint')) {
      if (r.Properties?.VpcEndpointType !== 'Interface') continue;
      const azs = Array.isArray(r.Properties?.SubnetIds) ? r.Properties.SubnetIds.length : 1;
      const service = JSON.stringify(r.Properties?.ServiceName ?? id).match(/com\.amazonaws\.[^"]*?\.?([a-z0-9-]+)"/)?.[1] ?? id;
      add(region, `VPC interface endpoint ${service} in ${azs} AZ`, azs * HOURS_PER_MONTH, 'vpc.interface-endpoint', 'endpoint-hours');
    }
    if (count('AWS::SNS::Topic') > 0) add(region, 'SNS topics', count('AWS::SNS::Topic'), 'sns.standard-topic');
    if (count('AWS::StepFunctions::StateMachine') > 0) {
      add(region, 'Step Functions state machines (no execution while nothing fails)', 0, 'stepfunctions.standard-transition');
    }
  }
  const regions = [...new Set(lines.map((l) => l.region))].sort();
  return regions.map((region) => {
    const own = lines.filter((l) => l.region === region);
    return { region, lines: own, totalUsd: cents(own.reduce((s, l) => s + l.monthlyUsd, 0)) };
  });
}

/** The sentence that states what the estimate is. */
export const COST_DISCLAIMER = `An estimate of on-demand list prices (as of ${PRICES_AS_OF}, src/report/prices.ts) for the resources in the templates, `
  + 'without free tiers, reserved instances or savings plans; it excludes data transfer (including cross-Region replication), '
  + 'backup growth beyond one full copy, logs, metrics, API requests and SNS deliveries, and anything the templates do not show.';
