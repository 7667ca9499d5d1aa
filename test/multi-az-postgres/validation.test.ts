import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { MultiAzPostgres, MultiAzPostgresProps } from '../../src';
import { dbStack, newStack } from '../util';

/** Each bad input fails synth with a message naming the prop, the value and what is allowed. */
describe('MultiAzPostgres rejects bad input', () => {
  const cases: Array<[string, Partial<MultiAzPostgresProps>, RegExp]> = [
    ['backup retention of 0 days', { backupRetention: Duration.days(0) },
      /MultiAzPostgres: invalid backupRetention '0 days': a whole number of days from 1 to 35/],
    ['backup retention of 36 days', { backupRetention: Duration.days(36) },
      /invalid backupRetention '36 days': a whole number of days from 1 to 35/],
    ['backup retention of part of a day', { backupRetention: Duration.hours(36) },
      /invalid backupRetention '1 day 12 hours': a whole number of days/],
    ['a MySQL engine', { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_4_3 }) },
      /invalid engine 'mysql': only RDS for PostgreSQL \('postgres'\) is supported/],
    ['PostgreSQL 13, out of standard support', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_13 }) },
      /invalid engine 'postgres 13': PostgreSQL major version 14 or newer is required/],
    ['PostgreSQL 11.22', { engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of('11.22', '11') }) },
      /invalid engine 'postgres 11.22': PostgreSQL major version 14 or newer/],
    ['Multi-AZ off without acknowledgement', { multiAz: false },
      /invalid multiAz false: a single-AZ instance does not survive an Availability Zone failure; set acknowledgeSingleAz: true/],
    ['publicly accessible', { publiclyAccessible: true },
      /invalid publiclyAccessible true: only false is supported/],
    ['gp3 storage below 20 GiB', { allocatedStorage: 10 },
      /invalid allocatedStorage 10: gp3 storage takes a whole number of GiB from 20 to 65536/],
    ['gp3 storage above 64 TiB', { allocatedStorage: 70_000 },
      /invalid allocatedStorage 70000: gp3 storage takes a whole number of GiB from 20 to 65536/],
    ['io1 storage below 100 GiB', { storageType: rds.StorageType.IO1, allocatedStorage: 50, iops: 1000 },
      /invalid allocatedStorage 50: io1 storage takes a whole number of GiB from 100 to 65536/],
    ['magnetic storage above 3 TiB', { storageType: rds.StorageType.STANDARD, allocatedStorage: 4000 },
      /invalid allocatedStorage 4000: standard storage takes a whole number of GiB from 5 to 3072/],
    ['fractional storage', { allocatedStorage: 20.5 },
      /invalid allocatedStorage 20.5: gp3 storage takes a whole number/],
    ['autoscaling ceiling not above allocated storage', { allocatedStorage: 100, maxAllocatedStorage: 100 },
      /invalid maxAllocatedStorage 100: a whole number of GiB greater than allocatedStorage \(100\) and at most 65536/],
    ['deprecated db.t2 class', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T2, ec2.InstanceSize.MEDIUM) },
      /invalid instanceType 'db.t2.medium': the t2 instance family is retired by RDS/],
    ['deprecated db.m4 class', { instanceType: new ec2.InstanceType('m4.large') },
      /invalid instanceType 'db.m4.large': the m4 instance family is retired/],
    ['deprecated db.r3 class', { instanceType: new ec2.InstanceType('db.r3.large') },
      /invalid instanceType 'db.r3.large': the r3 instance family is retired/],
    ['TLS enforcement off without acknowledgement', { enforceTls: false },
      /invalid enforceTls false: clients could then send credentials and data in clear text; set acknowledgeTlsNotEnforced: true/],
    ['TLS parameter set by hand', { parameters: { 'rds.force_ssl': '0' } },
      /invalid parameters 'rds.force_ssl': the TLS parameters are set through enforceTls and minimumTlsVersion/],
    ['identifier starting with a digit', { instanceIdentifier: '1orders' },
      /invalid instanceIdentifier '1orders': 1 to 63 letters, digits or hyphens, starting with a letter/],
    ['identifier with an underscore', { instanceIdentifier: 'orders_db' },
      /invalid instanceIdentifier 'orders_db': 1 to 63 letters/],
    ['identifier with two hyphens', { instanceIdentifier: 'orders--db' },
      /invalid instanceIdentifier 'orders--db': .*no two consecutive hyphens/],
    ['identifier ending in a hyphen', { instanceIdentifier: 'orders-' },
      /invalid instanceIdentifier 'orders-': .*no trailing hyphen/],
    ['identifier longer than 63 characters', { instanceIdentifier: 'a'.repeat(64) },
      /invalid instanceIdentifier 'a{64}': 1 to 63/],
    ['empty identifier', { instanceIdentifier: '' },
      /invalid instanceIdentifier '': 1 to 63/],
    ['identifier known only at deploy time', { instanceIdentifier: Token.asString({ Ref: 'Name' }) },
      /invalid instanceIdentifier .*: a literal string is required/],
    ['rotation more often than every 4 hours', { rotationSchedule: Duration.hours(1) },
      /invalid rotationSchedule '1 hour': from 4 hours to 999 days/],
    ['enhanced monitoring every 2 seconds', { monitoringInterval: Duration.seconds(2) },
      /invalid monitoringInterval '2 seconds': one of 1, 5, 10, 15, 30 or 60 seconds/],
    ['port below the RDS range', { port: 80 },
      /invalid port 80: a whole number from 1150 to 65535/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(() => dbStack(props)).toThrow(message);
  });

  test('public subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'pub', subnetType: ec2.SubnetType.PUBLIC }] });
    expect(() => new MultiAzPostgres(stack, 'Db', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }))
      .toThrow(/invalid vpcSubnets 'subnetType Public': the database must be placed in private or isolated subnets, never public ones/);
  });

  test('the acknowledgements really do open the two guarded settings', () => {
    expect(() => dbStack({ multiAz: false, acknowledgeSingleAz: true })).not.toThrow();
    expect(() => dbStack({ enforceTls: false, acknowledgeTlsNotEnforced: true })).not.toThrow();
  });
});
