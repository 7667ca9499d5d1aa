/**
 * The prices the cost estimate uses: on-demand list prices in USD, without the free tier, for the Regions listed.
 * Each price names its unit, its Region, its source and how it was checked:
 * - `aws`: read on the AWS pricing page named as source;
 * - `transcribed`: read in a dated transcription of the AWS pricing page named as source (the AWS page itself was not
 *   read);
 * - `assumed`: a commonly published figure that could not be checked against an AWS page on PRICES_AS_OF.
 * Another Region uses the us-east-1 price and the estimate says so.
 */

/** The date the prices were collected. */
export const PRICES_AS_OF = '2026-11-26';

/** How a price was checked. */
export type PriceBasis = 'aws' | 'transcribed' | 'assumed';

/** One price. */
export interface Price {
  readonly name: string;
  readonly usd: number;
  readonly unit: string;
  readonly region: string;
  readonly source: string;
  readonly basis: PriceBasis;
}

/** The hours of a month the estimate uses (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

const RDS = 'https://aws.amazon.com/rds/postgresql/pricing/';
const REGIONS = ['us-east-1', 'us-west-2'];

/** Single-AZ on-demand hourly prices of RDS for PostgreSQL instance classes; Multi-AZ (one standby) is twice this. */
const RDS_INSTANCE_HOURLY: Record<string, [number, PriceBasis]> = {
  'db.t4g.micro': [0.016, 'assumed'],
  'db.t4g.small': [0.032, 'assumed'],
  'db.t4g.medium': [0.065, 'assumed'],
  'db.t4g.large': [0.129, 'assumed'],
  'db.m7g.large': [0.168, 'assumed'],
  'db.m7g.xlarge': [0.337, 'assumed'],
  'db.m7g.2xlarge': [0.673, 'assumed'],
  'db.r7g.large': [0.239, 'assumed'],
  'db.r7g.xlarge': [0.478, 'assumed'],
};

const common = (region: string): Price[] => [
  { name: 'rds.storage.gp3', usd: 0.115, unit: 'GB-month (Single-AZ; Multi-AZ bills the standby too)', region, source: RDS, basis: 'assumed' },
  { name: 'rds.storage.gp3.iops', usd: 0.02, unit: 'IOPS-month above the 3,000 (12,000 from 400 GB) included', region, source: RDS, basis: 'assumed' },
  { name: 'rds.storage.gp2', usd: 0.115, unit: 'GB-month (Single-AZ)', region, source: RDS, basis: 'assumed' },
  { name: 'rds.storage.io1', usd: 0.125, unit: 'GB-month (Single-AZ)', region, source: RDS, basis: 'assumed' },
  { name: 'rds.storage.io1.iops', usd: 0.1, unit: 'provisioned IOPS-month (Single-AZ)', region, source: RDS, basis: 'assumed' },
  { name: 'rds.backup-storage', usd: 0.095, unit: 'GB-month of backup storage beyond the free 100 % of provisioned storage, and of replicated automated backups', region, source: RDS, basis: 'assumed' },
  { name: 'kms.key', usd: 1, unit: 'customer managed key-month (each rotated key version adds one)', region, source: 'https://aws.amazon.com/kms/pricing/', basis: 'aws' },
  { name: 'cloudwatch.alarm.standard', usd: 0.1, unit: 'standard-resolution alarm metric-month', region, source: 'https://aws.amazon.com/cloudwatch/pricing/', basis: 'assumed' },
  { name: 'cloudwatch.alarm.high-resolution', usd: 0.3, unit: 'high-resolution (period under 60 s) alarm metric-month', region, source: 'https://aws.amazon.com/cloudwatch/pricing/', basis: 'assumed' },
  { name: 'cloudwatch.dashboard', usd: 3, unit: 'dashboard-month (the first three of an account are free)', region, source: 'https://aws.amazon.com/cloudwatch/pricing/', basis: 'assumed' },
  { name: 'route53.hosted-zone', usd: 0.5, unit: 'hosted zone-month (first 25)', region: 'global', source: 'https://aws.amazon.com/route53/pricing/', basis: 'transcribed' },
  { name: 'route53.health-check', usd: 0.5, unit: 'health check-month (basic check of an AWS endpoint; calculated and CloudWatch-alarm checks priced alike)', region: 'global', source: 'https://aws.amazon.com/route53/pricing/', basis: 'assumed' },
  { name: 'lambda.request', usd: 0.2, unit: 'million requests', region, source: 'https://aws.amazon.com/lambda/pricing/', basis: 'assumed' },
  { name: 'lambda.duration.arm64', usd: 0.0000133334, unit: 'GB-second (arm64)', region, source: 'https://aws.amazon.com/lambda/pricing/', basis: 'assumed' },
  { name: 'lambda.duration.x86_64', usd: 0.0000166667, unit: 'GB-second (x86_64)', region, source: 'https://aws.amazon.com/lambda/pricing/', basis: 'assumed' },
  { name: 'secretsmanager.secret', usd: 0.4, unit: 'secret-month (each replica is billed as a secret)', region, source: 'https://aws.amazon.com/secrets-manager/pricing/', basis: 'transcribed' },
  { name: 'vpc.interface-endpoint', usd: 0.01, unit: 'interface endpoint hour per Availability Zone', region, source: 'https://aws.amazon.com/privatelink/pricing/', basis: 'assumed' },
  { name: 'backup.rds-snapshot', usd: 0.095, unit: 'GB-month of AWS Backup warm storage for RDS snapshots', region, source: 'https://aws.amazon.com/backup/pricing/', basis: 'assumed' },
  { name: 'sns.standard-topic', usd: 0, unit: 'topic-month (no fixed charge; publishes and deliveries are billed per request, not estimated)', region, source: 'https://aws.amazon.com/sns/pricing/', basis: 'assumed' },
  { name: 'stepfunctions.standard-transition', usd: 0.000025, unit: 'state transition (standard workflow; billed only when an execution runs)', region, source: 'https://aws.amazon.com/step-functions/pricing/', basis: 'assumed' },
  ...Object.entries(RDS_INSTANCE_HOURLY).map(([cls, [usd, basis]]) => ({
    name: `rds.instance.${cls}`, usd, unit: 'instance-hour (Single-AZ, PostgreSQL, on-demand)', region, source: RDS, basis,
  })),
];

/** Every price, per Region. */
export const PRICES: Price[] = REGIONS.flatMap(common);

/** The price of `name` in `region`, falling back to us-east-1 (then `fallback` is true). */
export function price(name: string, region: string): { price: Price; fallback: boolean } | undefined {
  const exact = PRICES.find((p) => p.name === name && (p.region === region || p.region === 'global'));
  if (exact) return { price: exact, fallback: false };
  const east = PRICES.find((p) => p.name === name && p.region === 'us-east-1');
  return east ? { price: east, fallback: true } : undefined;
}
