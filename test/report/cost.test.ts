import * as fs from 'fs';
import * as path from 'path';
import { costEstimate, invocationsPerMonth } from '../../src/report/cost';
import { PRICES, PRICES_AS_OF, price } from '../../src/report/prices';
import { StackTemplate } from '../../src/report/template';

function stack(id: string, region: string, resources: any): StackTemplate {
  return { artifactId: id, stackName: id, displayName: id, region, account: '210987654321', templateFile: `${id}.template.json`, template: { Resources: resources } };
}

const primary = stack('P', 'us-east-1', {
  Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'db1', DBInstanceClass: 'db.m7g.large', MultiAZ: true, StorageType: 'gp3', AllocatedStorage: '500', Iops: 15000 } },
  Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { ReplicaRegions: [{ Region: 'us-west-2' }] } },
  Rule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(5 minutes)', Targets: [{ Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }] } },
  Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Architectures: ['arm64'] } },
});
const dr = stack('D', 'us-west-2', {
  Replica: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceIdentifier: 'db1-dr', DBInstanceClass: 'db.x99.huge', SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:210987654321:db:db1', StorageType: 'gp3' } },
});

test('prices instances, storage, IOPS above the included, secrets and their replicas, and scheduled Lambda invocations', () => {
  const [east, west] = costEstimate([primary, dr]);
  const line = (c: typeof east, start: string) => c.lines.find((l) => l.item.startsWith(start))!;
  const hourly = price('rds.instance.db.m7g.large', 'us-east-1')!.price.usd;
  expect(line(east, 'RDS db1: db.m7g.large Multi-AZ').monthlyUsd).toBeCloseTo(2 * 730 * hourly, 2);
  expect(line(east, 'RDS db1: gp3 storage 500 GiB').quantity).toBe(1000);
  expect(line(east, 'RDS db1: gp3 IOPS above 12000').quantity).toBe(2 * 3000);
  expect(line(east, 'Lambda Fn: rate(5 minutes) requests').quantity).toBeCloseTo(8760 / 1e6, 9);
  expect(line(east, 'Lambda Fn: duration').priceName).toBe('lambda.duration.arm64');
  expect(line(west, 'Secrets Manager replica').monthlyUsd).toBe(0.4);
  // The replica's storage is its source's.
  expect(line(west, 'RDS db1-dr: gp3 storage 500 GiB Single-AZ').quantity).toBe(500);
  // A class the table does not list is not estimated, and says so.
  expect(line(west, 'RDS db1-dr: db.x99.huge')).toMatchObject({ monthlyUsd: 0, note: expect.stringContaining('not estimated') });
  for (const c of [east, west]) expect(Math.round(c.totalUsd * 100)).toBe(c.lines.reduce((s, l) => s + Math.round(l.monthlyUsd * 100), 0));
});

test('reads rate schedules and leaves cron schedules out', () => {
  expect(invocationsPerMonth('rate(1 minute)')).toBe(43800);
  expect(invocationsPerMonth('rate(2 hours)')).toBe(365);
  expect(invocationsPerMonth('cron(0 12 * * ? *)')).toBeUndefined();
});

test('every price names its unit, Region, source and basis, and is dated', () => {
  expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  for (const p of PRICES) {
    expect(p.usd).toBeGreaterThanOrEqual(0);
    expect(p.unit).not.toBe('');
    expect(p.region).toMatch(/^(global|[a-z]{2}-[a-z]+-\d)$/);
    expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\/.+\/pricing\/$/);
    expect(['aws', 'transcribed', 'assumed']).toContain(p.basis);
  }
});

test('docs/report.md lists every price of the table with its figure, and the date', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'report.md'), 'utf-8');
  expect(doc).toContain(`(${PRICES_AS_OF})`);
  for (const p of PRICES) expect(doc).toContain(`| \`${p.name}\` | ${p.usd} | ${p.unit} |`);
});
