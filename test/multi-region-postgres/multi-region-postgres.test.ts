import { Annotations as CoreAnnotations, App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BackupReplication, MultiRegionPostgres, MultiRegionPostgresProps, ResilienceObjectives } from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, newApp, newStack, record, runbookApp, synthWithNag } from '../util';

const DR_KEY = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;

function patternApp(props: Partial<MultiRegionPostgresProps> = {}, app: App = newApp()) {
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const orders = new MultiRegionPostgres(primaryStack, 'Orders', {
    drScope: drStack,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: DR_KEY,
    primaryEndpointAddress: PRIMARY_ENDPOINT,
    primaryVpcId: PRIMARY_VPC_ID,
    ...props,
  });
  return { app, primaryStack, drStack, orders };
}

/** The same architecture composed by hand from the parts (test/util.ts), with the pattern's settings. */
function composedApp() {
  const parts = runbookApp({ automaticPromotion: true, approval: true });
  const backups = new BackupReplication(parts.primaryStack, 'Backups', {
    sourceInstance: parts.primary.instance, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY,
  });
  new ResilienceObjectives(parts.drStack, 'Objectives', { primary: parts.primary, runbook: parts.runbook, backupReplication: backups, outputs: false });
  return parts;
}

function typeCounts(stack: Stack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>)) {
    counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  }
  return counts;
}

describe('wiring', () => {
  test('the parts are public and wired to each other', () => {
    const { orders, primaryStack, drStack } = patternApp();
    expect(orders.primary.instanceIdentifier).toBe('orders-primary');
    expect(orders.replica.instanceIdentifier).toBe('orders-dr');
    expect(orders.replica.sourceInstanceIdentifier).toBe('orders-primary');
    expect(orders.backups.destinationRegion).toBe(DR_REGION);
    expect(orders.backups.destinationKeyArn).toBe(DR_KEY);
    expect(orders.runbook.failover).toBe(orders.failover);
    expect(orders.runbook.automaticPromotion).toBe(true);
    expect(orders.runbook.approvalRequired).toBe(true);
    expect(orders.promotionRole).toBe(orders.runbook.promotionRole);
    expect(orders.failover.fenceAlarm).toBe(orders.replicaProbe.writableAlarm);
    expect(orders.primaryIsolatedVpc).toBeDefined();
    expect(orders.drIsolatedVpc).toBeDefined();
    expect(Stack.of(orders.primary)).toBe(primaryStack);
    expect(Stack.of(orders.replica)).toBe(drStack);
    expect(orders.drContainer.node.path).toBe('Dr/Orders');
    expect(drStack.dependencies).toContain(primaryStack);
  });

  test('primary stack: the master secret replicated to the DR Region, backups replicated with the DR key, outputs for the DR stack', () => {
    const { primaryStack } = patternApp();
    const t = record(primaryStack);
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'orders-primary/master', ReplicaRegions: [Match.objectLike({ Region: DR_REGION })] });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'orders-primary',
      MultiAZ: true,
      DBName: 'orders',
      AutomaticBackupReplicationRegion: DR_REGION,
      AutomaticBackupReplicationKmsKeyId: DR_KEY,
    });
    const outputs = t.findOutputs('*');
    expect(Object.keys(outputs).filter((k) => /^OrdersPrimary(VpcId|EndpointAddress)/.test(k))).toHaveLength(2);
  });

  test('DR stack: the writer record answers the given primary endpoint, the zone is associated with the primary VPC', () => {
    const { drStack } = patternApp();
    const t = record(drStack);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'writer.orders.internal.', Failover: 'PRIMARY', ResourceRecords: [PRIMARY_ENDPOINT] });
    t.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'orders.internal.', VPCs: Match.arrayWith([{ VPCId: PRIMARY_VPC_ID, VPCRegion: PRIMARY_REGION }]),
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'orders-dr', SourceDBInstanceIdentifier: `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:orders-primary` });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.cloudwatch'] }) });
  });

  test('it creates exactly the resources the parts create when composed by hand', () => {
    const pattern = patternApp();
    const composed = composedApp();
    expect(typeCounts(pattern.primaryStack)).toEqual(typeCounts(composed.primaryStack));
    expect(typeCounts(pattern.drStack)).toEqual(typeCounts(composed.drStack));
  });

  test('options reach the parts: no automatic start, no approval, a 30 s lag guard, r7g.xlarge, 200 GiB', () => {
    const { orders, primaryStack, drStack } = patternApp({
      automaticPromotion: false,
      approval: false,
      maxLagAtPromotion: Duration.seconds(30),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
      allocatedStorage: 200,
      databaseName: 'ledger',
    });
    expect(orders.runbook.automaticPromotion).toBe(false);
    expect(orders.runbook.approvalRequired).toBe(false);
    expect(orders.runbook.rpo.toSeconds()).toBe(30);
    record(primaryStack).hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r7g.xlarge', AllocatedStorage: '200', DBName: 'ledger' });
    const dr = record(drStack);
    expect(Object.keys(dr.findResources('AWS::Events::Rule')).filter((k) => k.startsWith('OrdersRunbook'))).toEqual([]);
    dr.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-dr-free-storage-space', Threshold: Match.anyValue() });
  });

  test('existing VPCs: no IsolatedVpc, the given subnets, the primary VPC ID read from the VPC when it is a literal', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const drStack = newStack(app, 'Dr', DR_REGION);
    const vpcOf = (stack: Stack, id: string, vpcId: string, azs: string[]) => ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId, availabilityZones: azs, privateSubnetIds: [`subnet-${id}1`, `subnet-${id}2`],
    });
    const orders = new MultiRegionPostgres(primaryStack, 'Orders', {
      drScope: drStack,
      name: 'orders',
      zoneName: 'orders.internal',
      drBackupKeyArn: DR_KEY,
      primaryEndpointAddress: PRIMARY_ENDPOINT,
      primaryNetwork: { vpc: vpcOf(primaryStack, 'a', 'vpc-0123456789abcdef0', ['us-east-1a', 'us-east-1b']) },
      drNetwork: { vpc: vpcOf(drStack, 'b', 'vpc-0fedcba9876543210', ['us-west-2a', 'us-west-2b']) },
    });
    expect(orders.primaryIsolatedVpc).toBeUndefined();
    expect(orders.drIsolatedVpc).toBeUndefined();
    expect(Object.keys(record(primaryStack).findResources('AWS::EC2::VPC'))).toEqual([]);
    const dr = record(drStack);
    expect(Object.keys(dr.findResources('AWS::EC2::VPC'))).toEqual([]);
    dr.hasResourceProperties('AWS::Route53::HostedZone', { VPCs: Match.arrayWith([{ VPCId: 'vpc-0123456789abcdef0', VPCRegion: PRIMARY_REGION }]) });
    dr.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ['subnet-b1', 'subnet-b2'] });
  });
});

describe('data safety', () => {
  // A changed logical ID makes CloudFormation replace the resource: an empty database, a new key, a lost secret.
  test('logical IDs of the databases, keys, secret and log groups are stable', () => {
    const { primaryStack, drStack } = patternApp();
    const ids = (stack: Stack, type: string) => Object.keys(Template.fromStack(stack).findResources(type)).sort();
    expect(ids(primaryStack, 'AWS::RDS::DBInstance')).toEqual(['OrdersPrimaryInstanceA761CCB8']);
    expect(ids(primaryStack, 'AWS::SecretsManager::Secret')).toEqual(['OrdersPrimarySecretC4A03822']);
    expect(ids(drStack, 'AWS::RDS::DBInstance')).toEqual(['OrdersReplicaInstanceA2577813']);
    expect(ids(primaryStack, 'AWS::KMS::Key')).toEqual(['OrdersNetworkFlowLogKey32E7A3F9', 'OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'OrdersPrimaryKey1D77C87A', 'OrdersPrimaryProbeLogKey1166AAC6']);
    expect(ids(drStack, 'AWS::KMS::Key')).toEqual(['OrdersNetworkFlowLogKey32E7A3F9', 'OrdersReplicaAlarmsTopicKeyB2CAB984', 'OrdersReplicaKeyF369536F', 'OrdersReplicaProbeLogKey4FA12574', 'OrdersRunbookLogKey60110023', 'OrdersRunbookStartDeadLetterKey481CDC39']);
    expect(ids(primaryStack, 'AWS::Logs::LogGroup')).toEqual(['OrdersNetworkFlowLogGroup59EE4EA9', 'OrdersPrimaryPostgresqlLogGroup4DBF3C69', 'OrdersPrimaryProbeLogGroup88B1056E', 'OrdersPrimaryUpgradeLogGroupA281D555']);
    expect(ids(drStack, 'AWS::Logs::LogGroup')).toEqual(['OrdersNetworkFlowLogGroup59EE4EA9', 'OrdersReplicaPostgresqlLogGroup829D92BF', 'OrdersReplicaProbeLogGroup07F3DE95', 'OrdersReplicaUpgradeLogGroup423F7EF8', 'OrdersRunbookLogGroup0E4F18D2']);
  });

  test('the primary leaves a final snapshot, the replica, keys and secret are retained, deletion protection on', () => {
    const { primaryStack, drStack } = patternApp();
    const policies = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::RDS::DBInstance')).map((r) => r.DeletionPolicy);
    expect(policies(primaryStack)).toEqual(['Snapshot']);
    expect(policies(drStack)).toEqual(['Retain']);
    for (const stack of [primaryStack, drStack]) {
      const t = Template.fromStack(stack);
      for (const type of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
        for (const r of Object.values(t.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
      }
      for (const r of Object.values(t.findResources('AWS::RDS::DBInstance'))) expect(r.Properties.DeletionProtection).toBe(true);
    }
  });
});

describe('compliance', () => {
  test('the four cdk-nag packs find nothing unacknowledged, and synth gives no warning', () => {
    const { app, primaryStack, drStack } = patternApp({
      objectives: {
        azFailure: { rto: Duration.minutes(5), rpo: Duration.seconds(0) },
        regionFailure: { rto: Duration.hours(2), rpo: Duration.minutes(2) },
      },
    });
    expect(synthWithNag(app).findings).toEqual([]);
    for (const stack of [primaryStack, drStack]) Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('objectives through the pattern', () => {
  test('the budget follows the options: 15 min approval is 240 + 150 (guard re-checks) + 900 + 600 + 240 s', () => {
    const { orders } = patternApp({ approvalTimeout: Duration.minutes(15) });
    expect(orders.objectives.budgets.find((b) => b.scenario === 'Region failure' && b.measure === 'RTO')!.budgetSeconds).toBe(2130);
  });

  test('an impossible Region RTO fails synth, naming the approval', () => {
    expect(() => patternApp({ objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(1) } } }))
      .toThrow(/regionFailure.rto is 900 s, but the configuration's worst case is 4830 s .*The largest term is decision: approval, 3600 s/);
  });

  test('the same target passes without approval only if the promotion estimate fits: 15 min is still too short', () => {
    expect(() => patternApp({ approval: false, objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(1) } } }))
      .toThrow(/worst case is 1230 s .*The largest term is promotion, 600 s, set by FailoverRunbook expectedPromotionTime/);
    const { drStack } = patternApp({
      approval: false,
      expectedPromotionTime: Duration.minutes(3),
      objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } },
    });
    // 240 + 150 + 180 + 240 = 810 s of 900 s: 10 % headroom, under 20 %.
    Annotations.fromStack(drStack).hasWarning('/Dr/Orders/Objectives', Match.stringLikeRegexp('regionFailure.rto 900 s is met with 10 % headroom'));
  });

  test('the headroom warning can be acknowledged on the DR scope', () => {
    const app = newApp();
    const { drStack } = patternApp({
      approval: false,
      expectedPromotionTime: Duration.minutes(3),
      objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } },
    }, app);
    CoreAnnotations.of(drStack).acknowledgeWarning('cdk-resilient-postgres:objectiveHeadroom', 'promotion measured at 4 min in drills');
    Annotations.fromStack(drStack).hasNoWarning('*', Match.anyValue());
  });
});

describe('rejections', () => {
  test.each([
    ['name with capitals', { name: 'Orders' }, "MultiRegionPostgres: invalid name 'Orders': lower-case letters, digits and single hyphens"],
    ['name ending in a hyphen', { name: 'orders-' }, "MultiRegionPostgres: invalid name 'orders-'"],
    ['endpoint of another instance', { primaryEndpointAddress: 'billing-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com' },
      "MultiRegionPostgres: invalid primaryEndpointAddress 'billing-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com': the literal endpoint address of the primary, orders-primary.<id>.us-east-1.rds.amazonaws.com (output PrimaryEndpointAddress)"],
    ['endpoint in another Region', { primaryEndpointAddress: 'orders-primary.c1a2b3c4d5e6.us-west-2.rds.amazonaws.com' }, 'invalid primaryEndpointAddress'],
    ['no primary VPC ID for a created VPC', { primaryVpcId: undefined },
      'MultiRegionPostgres: invalid primaryVpcId (unset): the literal ID of the primary VPC, vpc-<8 or 17 hex digits> (output PrimaryVpcId)'],
    ['a malformed VPC ID', { primaryVpcId: 'vpc-xyz' }, "MultiRegionPostgres: invalid primaryVpcId 'vpc-xyz'"],
    ['a VPC ID of 12 hex digits', { primaryVpcId: 'vpc-0a1b2c3d4e5f' }, "MultiRegionPostgres: invalid primaryVpcId 'vpc-0a1b2c3d4e5f': the literal ID of the primary VPC, vpc-<8 or 17 hex digits>"],
    ['a DR key in the primary Region', { drBackupKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10` }, 'destinationKeyArn'],
  ])('%s', (_name, props, message) => {
    expect(() => patternApp(props as Partial<MultiRegionPostgresProps>)).toThrow(message);
  });

  test('a DR scope in the primary\'s Region, or without a Region', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const base = { name: 'orders', zoneName: 'orders.internal', drBackupKeyArn: DR_KEY, primaryEndpointAddress: PRIMARY_ENDPOINT, primaryVpcId: PRIMARY_VPC_ID };
    expect(() => new MultiRegionPostgres(primaryStack, 'A', { ...base, drScope: newStack(app, 'Same', PRIMARY_REGION) }))
      .toThrow("MultiRegionPostgres: invalid drScope 'Same': a scope in a stack with a concrete Region other than the primary's (us-east-1)");
    expect(() => new MultiRegionPostgres(primaryStack, 'B', { ...base, drScope: new Stack(app, 'Agnostic') }))
      .toThrow("MultiRegionPostgres: invalid drScope 'Agnostic'");
    expect(() => new MultiRegionPostgres(new Stack(app, 'AgnosticPrimary'), 'C', { ...base, drScope: newStack(app, 'Dr', DR_REGION) }))
      .toThrow("MultiRegionPostgres: invalid scope 'AgnosticPrimary/C': a scope in a stack with a concrete Region (env.region)");
  });
});
