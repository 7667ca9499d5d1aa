import { Annotations as CoreAnnotations, App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupReplication, CrossRegionReadReplica, DbAlarmSet, DrSecretKey, IsolatedVpc,
  MultiAzPostgres, MultiRegionPostgres, MultiRegionPostgresProps,
  ResilienceObjectives, Warnings, WritableProbe,
} from '../../src';
import { DR_KEY, DR_SECRET_KEY, multiRegionIn } from '../rejections/builders';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, ONCALL_EMAIL, newApp, newStack, record, runbookApp, synthWithNag } from '../util';


function patternApp(props: Partial<MultiRegionPostgresProps> = {}, app: App = newApp()) {
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const orders = multiRegionIn(primaryStack, drStack, { subscriberEmails: [ONCALL_EMAIL], ...props });
  return { app, primaryStack, drStack, orders };
}

/** The same architecture composed by hand from the parts (test/util.ts), with the pattern's settings. */
function composedApp() {
  const parts = runbookApp({ automaticPromotion: true, approval: true });
  const backups = new BackupReplication(parts.primaryStack, 'Backups', {
    sourceInstance: parts.primary, destinationRegion: DR_REGION, destinationKeyArn: DR_KEY,
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
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'orders-primary/master', ReplicaRegions: [{ Region: DR_REGION, KmsKeyId: DR_SECRET_KEY }] });
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

  test('backupRetention reaches the primary, its replicated backups and the runbook\'s promotion; 35 days by default', () => {
    const short = patternApp({ backupRetention: Duration.days(14) });
    record(short.primaryStack).hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 14, AutomaticBackupReplicationRetentionPeriod: 14 });
    const promote = (stack: Stack) => JSON.parse((Object.values(record(stack).findResources('AWS::StepFunctions::StateMachine'))[0] as any)
      .Properties.DefinitionString).States.Promote.Arguments.BackupRetentionPeriod;
    expect(promote(short.drStack)).toBe(14);
    const standard = patternApp();
    record(standard.primaryStack).hasResourceProperties('AWS::RDS::DBInstance', { BackupRetentionPeriod: 35, AutomaticBackupReplicationRetentionPeriod: 35 });
    expect(promote(standard.drStack)).toBe(35);
    expect(() => patternApp({ backupRetention: Duration.days(36) })).toThrow(/MultiAzPostgres: invalid backupRetention '36 days'/);
  });

  test('options reach the parts: no automatic start, no approval, a 90 s lag guard, r7g.xlarge, 200 GiB', () => {
    const { orders, primaryStack, drStack } = patternApp({
      automaticPromotion: false,
      approval: false,
      maxLagAtPromotion: Duration.seconds(90),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
      allocatedStorage: 200,
      databaseName: 'ledger',
    });
    expect(orders.runbook.automaticPromotion).toBe(false);
    expect(orders.runbook.approvalRequired).toBe(false);
    expect(orders.runbook.maxLagAtPromotion.toSeconds()).toBe(90);
    record(primaryStack).hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r7g.xlarge', AllocatedStorage: '200', DBName: 'ledger' });
    const dr = record(drStack);
    expect(Object.keys(dr.findResources('AWS::Events::Rule')).filter((k) => k.startsWith('OrdersRunbook'))).toEqual([]);
    dr.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-dr-free-storage-space', Threshold: Match.anyValue() });
    // The lag guard is also the DR replica's replica-lag alarm threshold.
    dr.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-dr-replica-lag', Threshold: 90 });
  });

  test('maxLagAtPromotion reaches the DR replica\'s replica-lag alarm: 5 min is a 300 s threshold, the default 60 s', () => {
    const lagThreshold = (stack: Stack) => Object.values(record(stack).findResources('AWS::CloudWatch::Alarm'))
      .find((a) => a.Properties.AlarmName === 'orders-dr-replica-lag')!.Properties.Threshold;
    const fiveMinutes = patternApp({ maxLagAtPromotion: Duration.minutes(5) });
    expect(lagThreshold(fiveMinutes.drStack)).toBe(300);
    expect(fiveMinutes.orders.runbook.maxLagAtPromotion.toSeconds()).toBe(300);
    expect(fiveMinutes.orders.objectives.budgets.find((b) => b.scenario === 'Region failure' && b.measure === 'RPO')!.budgetSeconds).toBe(300);
    expect(lagThreshold(patternApp().drStack)).toBe(60);
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
      drSecretKeyArn: DR_SECRET_KEY,
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

describe('the master secret in the DR Region', () => {
  test('the replica is encrypted with drSecretKeyArn; the DR probe reads it and decrypts it through Secrets Manager in the DR Region', () => {
    const { orders, primaryStack, drStack } = patternApp();
    record(primaryStack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders-primary/master',
      KmsKeyId: Match.anyValue(),
      ReplicaRegions: [{ Region: DR_REGION, KmsKeyId: DR_SECRET_KEY }],
    });
    expect(orders.drSecretKey.keyArn).toBe(DR_SECRET_KEY);
    expect(orders.drSecret.encryptionKey?.keyArn).toBe(DR_SECRET_KEY);
    const dr = record(drStack);
    dr.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadCredentials',
            Action: 'secretsmanager:GetSecretValue',
            Resource: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master-??????`,
          }),
          {
            Sid: 'DecryptCredentials',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: DR_SECRET_KEY,
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${DR_REGION}.amazonaws.com` } },
          },
        ]),
      },
    });
  });

  test('grantDrSecretRead lets a DR application read the replica and decrypt it, only through Secrets Manager in the DR Region', () => {
    const { orders, drStack } = patternApp();
    const role = new iam.Role(drStack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(orders.grantDrSecretRead(role).success).toBe(true);
    record(drStack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^App') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master-??????`,
          },
          {
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: DR_SECRET_KEY,
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${DR_REGION}.amazonaws.com` } },
          },
        ],
      },
    });
  });

  // Secrets Manager rotates the primary and propagates the new value to its replicas: "If you turn on rotation for your
  // primary secret, Secrets Manager rotates the secret in the primary Region, and the new secret value propagates to all
  // of the associated replica secrets" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html).
  // What a template can show is that both halves are configured on the same secret; the propagation itself happens in
  // AWS and is not tested here.
  test('rotation still reaches the replica: the rotation schedule is on the primary secret that names the DR Region and its key', () => {
    const { primaryStack } = patternApp();
    const t = record(primaryStack);
    const secrets = t.findResources('AWS::SecretsManager::Secret', { Properties: { ReplicaRegions: [{ Region: DR_REGION, KmsKeyId: DR_SECRET_KEY }] } });
    expect(Object.keys(secrets)).toEqual(['OrdersPrimarySecretC4A03822']);
    const attachments = t.findResources('AWS::SecretsManager::SecretTargetAttachment', { Properties: { SecretId: { Ref: 'OrdersPrimarySecretC4A03822' } } });
    expect(Object.keys(attachments)).toHaveLength(1);
    t.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Object.keys(attachments)[0] },
      RotationLambdaARN: Match.anyValue(),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  test('composed by hand: MultiAzPostgres secretReplicaRegions with a key reaches ReplicaRegions[].KmsKeyId, WritableProbe decrypts with it', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const drStack = newStack(app, 'Dr', DR_REGION);
    const net = new IsolatedVpc(primaryStack, 'Network');
    const primary = new MultiAzPostgres(primaryStack, 'Orders', {
      vpc: net.vpc,
      secretsManagerEndpoint: net.secretsManagerEndpoint,
      instanceIdentifier: 'orders-primary',
      secretName: 'orders-primary/master',
      secretReplicaRegions: [{ region: DR_REGION, encryptionKey: kms.Key.fromKeyArn(primaryStack, 'DrSecretKey', DR_SECRET_KEY) }],
    });
    const drNet = new IsolatedVpc(drStack, 'Network');
    const replicaSecret = secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
      secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master`,
      encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', DR_SECRET_KEY),
    });
    const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
    const alarms = new DbAlarmSet(drStack, 'Alarms', { instance: replica, allocatedStorage: Size.gibibytes(100) });
    new WritableProbe(drStack, 'Probe', {
      instance: replica,
      credentials: replicaSecret,
      vpc: drNet.vpc,
      awsApiEndpoints: [drNet.secretsManagerEndpoint, drNet.monitoringEndpoint],
      topic: alarms.topic,
    });
    record(primaryStack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders-primary/master',
      ReplicaRegions: [{ Region: DR_REGION, KmsKeyId: DR_SECRET_KEY }],
    });
    record(drStack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'DecryptCredentials', Resource: DR_SECRET_KEY })]),
      },
    });
  });
});

describe('DrSecretKey', () => {
  test('a rotated, retained key whose policy lets Secrets Manager in its Region encrypt for this account, and nothing more', () => {
    const app = newApp();
    const stack = newStack(app, 'DrFoundation', DR_REGION);
    const secretKey = new DrSecretKey(stack, 'SecretKey');
    expect(secretKey.keyArn).toBe(secretKey.key.keyArn);
    const t = record(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: [
          Match.objectLike({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*' }),
          {
            Sid: 'AllowSecretsManagerToWriteReplicaSecretsForThisAccount',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${DR_REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT } },
          },
        ],
      },
    });
  });

  test('keyRemovalPolicy DESTROY deletes the key after 30 days, with an acknowledgeable warning; the default keeps it silently', () => {
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    new DrSecretKey(stack, 'SecretKey', { keyRemovalPolicy: RemovalPolicy.DESTROY });
    const t = record(stack);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 30 }) });
    Annotations.fromStack(stack).hasWarning('/DrFoundation/SecretKey', Match.stringLikeRegexp(
      'DrSecretKey DrFoundation/SecretKey: keyRemovalPolicy is DESTROY, so CloudFormation schedules the deletion of the KMS key .* 30 days. '
      + 'The secrets replicated into this Region with it .* live in another stack that names the key only by a literal ARN, so '
      + `CloudFormation does not stop the deletion.*cannot be decrypted.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));

    const kept = newStack(newApp(), 'DrFoundation', DR_REGION);
    new DrSecretKey(kept, 'SecretKey', { keyRemovalPolicy: RemovalPolicy.RETAIN });
    record(kept).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ PendingWindowInDays: Match.absent() }) });
    Annotations.fromStack(kept).hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
  });

  test('keyRemovalPolicy SNAPSHOT is rejected', () => {
    expect(() => new DrSecretKey(newStack(newApp(), 'DrFoundation', DR_REGION), 'SecretKey', { keyRemovalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow("DrSecretKey: invalid keyRemovalPolicy 'snapshot': RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY");
  });

  test('an environment-agnostic stack is rejected', () => {
    expect(() => new DrSecretKey(new Stack(newApp(), 'Agnostic'), 'SecretKey'))
      .toThrow("DrSecretKey: invalid scope 'stack Agnostic': a stack with an explicit env (account and region)");
  });

  test('the four cdk-nag packs find nothing unacknowledged', () => {
    const app = newApp();
    new DrSecretKey(newStack(app, 'DrFoundation', DR_REGION), 'SecretKey');
    expect(synthWithNag(app).findings).toEqual([]);
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

describe('removal policies', () => {
  /** [logical ID, DeletionPolicy, UpdateReplacePolicy] of every resource of the stateful types, sorted by ID. */
  function statefulPolicies(stack: Stack): string[][] {
    type Resource = { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string };
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const types = ['AWS::RDS::DBInstance', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'];
    return Object.entries(resources).filter(([, r]) => types.includes(r.Type))
      .map(([id, r]) => [id, r.DeletionPolicy!, r.UpdateReplacePolicy!]).sort();
  }
  /** The resources `removalPolicy` and `keyRemovalPolicy` govern; every other stateful resource is always retained. */
  const DATABASES = ['OrdersPrimaryInstanceA761CCB8', 'OrdersReplicaInstanceA2577813'];
  const KEY_FOLLOWERS = [
    'OrdersPrimaryKey1D77C87A', 'OrdersPrimarySecretC4A03822', 'OrdersPrimaryPostgresqlLogGroup4DBF3C69', 'OrdersPrimaryUpgradeLogGroupA281D555',
    'OrdersReplicaKeyF369536F', 'OrdersReplicaPostgresqlLogGroup829D92BF', 'OrdersReplicaUpgradeLogGroup423F7EF8',
  ];
  const expected = (primary: string, replica: string, keys: string) => (id: string) => {
    if (id === DATABASES[0]) return primary;
    if (id === DATABASES[1]) return replica;
    return KEY_FOLLOWERS.includes(id) ? keys : 'Retain';
  };

  test.each<[string, Partial<MultiRegionPostgresProps>, string, string, string]>([
    ['default', {}, 'Snapshot', 'Retain', 'Retain'],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, 'Snapshot', 'Snapshot', 'Retain'],
    ['RETAIN', { removalPolicy: RemovalPolicy.RETAIN }, 'Retain', 'Retain', 'Retain'],
    ['DESTROY', { removalPolicy: RemovalPolicy.DESTROY }, 'Delete', 'Delete', 'Retain'],
    ['DESTROY, keyRemovalPolicy RETAIN', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.RETAIN }, 'Delete', 'Delete', 'Retain'],
    ['DESTROY, keyRemovalPolicy DESTROY', { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY }, 'Delete', 'Delete', 'Delete'],
  ])('%s: databases follow removalPolicy; keys, secret and database log groups follow keyRemovalPolicy; the rest is retained', (_name, props, primary, replica, keys) => {
    const { primaryStack, drStack } = patternApp(props);
    const policyOf = expected(primary, replica, keys);
    const all = [...statefulPolicies(primaryStack), ...statefulPolicies(drStack)];
    for (const id of [...DATABASES, ...KEY_FOLLOWERS]) {
      expect(all.map(([rid]) => rid)).toContain(id);
    }
    for (const [id, deletion, replace] of all) {
      expect([id, deletion, replace]).toEqual([id, policyOf(id), policyOf(id)]);
    }
    for (const stack of [primaryStack, drStack]) {
      for (const r of Object.values(Template.fromStack(stack).findResources('AWS::RDS::DBInstance'))) expect(r.Properties.DeletionProtection).toBe(true);
    }
  });

  test('DESTROY warns on both databases; keyRemovalPolicy DESTROY also on both keys; the default on neither', () => {
    const destroyed = patternApp({ removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(destroyed.primaryStack).hasWarning('/Primary/Orders/Primary',
      Match.stringLikeRegexp(`MultiAzPostgres Primary/Orders/Primary: removalPolicy is DESTROY.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
    Annotations.fromStack(destroyed.primaryStack).hasWarning('/Primary/Orders/Primary',
      Match.stringLikeRegexp(`MultiAzPostgres Primary/Orders/Primary: keyRemovalPolicy is DESTROY.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
    Annotations.fromStack(destroyed.drStack).hasWarning('/Dr/Orders/Replica',
      Match.stringLikeRegexp(`CrossRegionReadReplica Dr/Orders/Replica: removalPolicy is DESTROY.*\\[ack: ${Warnings.DATABASE_DESTROYED_WITH_STACK}\\]`));
    Annotations.fromStack(destroyed.drStack).hasWarning('/Dr/Orders/Replica',
      Match.stringLikeRegexp(`CrossRegionReadReplica Dr/Orders/Replica: keyRemovalPolicy is DESTROY.*\\[ack: ${Warnings.KEY_DESTROYED_WITH_STACK}\\]`));
    const kept = patternApp();
    for (const stack of [kept.primaryStack, kept.drStack]) {
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.DATABASE_DESTROYED_WITH_STACK));
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.KEY_DESTROYED_WITH_STACK));
    }
  });

  test('keyRemovalPolicy DESTROY without removalPolicy DESTROY is rejected, naming the primary', () => {
    expect(() => patternApp({ keyRemovalPolicy: RemovalPolicy.DESTROY }))
      .toThrow("MultiAzPostgres: invalid keyRemovalPolicy 'destroy': RETAIN while removalPolicy is SNAPSHOT: the final snapshot would stay encrypted with a deleted key");
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
  test.each([true, false])('one Region RTO: the runbook\'s total is the objectives\' budget (automaticPromotion %s)', (automaticPromotion) => {
    const { orders } = patternApp({ automaticPromotion, maxLagAtPromotion: Duration.minutes(5) });
    const rto = orders.objectives.budgets.find((b) => b.scenario === 'Region failure' && b.measure === 'RTO')!;
    expect(orders.runbook.rtoBudget.budgetSeconds).toBe(rto.budgetSeconds);
    expect(orders.runbook.rtoBudget.terms).toEqual(rto.terms);
    // Manual start: the stalled alarm's page (240 s) and the operator (900 s) count in both, 5460 s with the approval.
    expect(rto.budgetSeconds).toBe(automaticPromotion ? 4710 : 5460);
  });

  test('operatorResponseTime reaches the runbook\'s operator term', () => {
    const { orders } = patternApp({ automaticPromotion: false, operatorResponseTime: Duration.minutes(5) });
    expect(orders.runbook.rtoTerms.find((t) => t.name === 'detection: operator starts the runbook')!.seconds).toBe(300);
  });

  test('the budget follows the options: 15 min approval is 240 + 150 (guard re-checks) + 900 + 600 + 120 s', () => {
    const { orders } = patternApp({ approvalTimeout: Duration.minutes(15) });
    expect(orders.objectives.budgets.find((b) => b.scenario === 'Region failure' && b.measure === 'RTO')!.budgetSeconds).toBe(2010);
  });

  test('an impossible Region RTO fails synth, naming the approval', () => {
    expect(() => patternApp({ objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(1) } } }))
      .toThrow(/regionFailure.rto is 900 s, but the configuration's worst case is 4710 s .*The largest term is decision: approval, 3600 s/);
  });

  test('the same target passes without approval only if the promotion estimate fits: 15 min is still too short', () => {
    expect(() => patternApp({ approval: false, objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(1) } } }))
      .toThrow(/worst case is 1110 s .*The largest term is promotion, 600 s, set by FailoverRunbook expectedPromotionTime/);
    const { drStack } = patternApp({
      approval: false,
      expectedPromotionTime: Duration.minutes(5),
      objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } },
    });
    // 240 + 150 + 300 + 120 = 810 s of 900 s: 10 % headroom, under 20 %.
    Annotations.fromStack(drStack).hasWarning('/Dr/Orders/Objectives', Match.stringLikeRegexp('regionFailure.rto 900 s is met with 10 % headroom'));
  });

  test('objectives.measured reaches the objectives: the measured promotion stands next to the runbook\'s estimate', () => {
    const promotionTime = { value: Duration.seconds(1500), source: 'region drill', measuredAt: '2026-11-20' };
    const { drStack, orders } = patternApp({
      approval: false,
      objectives: { regionFailure: { rto: Duration.minutes(30), rpo: Duration.minutes(2) }, measured: { promotionTime } },
    });
    const rto = orders.objectives.budgets.find((b) => b.scenario === 'Region failure' && b.measure === 'RTO')!;
    expect(rto.terms.find((t) => t.name === 'promotion')).toMatchObject({ seconds: 600, measuredSeconds: 1500 });
    // 1110 s assumed; 1110 - 600 + 1500 = 2010 s measured, over the 1800 s target.
    expect([rto.budgetSeconds, rto.measuredBudgetSeconds]).toEqual([1110, 2010]);
    Annotations.fromStack(drStack).hasWarning('/Dr/Orders/Objectives',
      Match.stringLikeRegexp('objectives.regionFailure.rto 1800 s is missed with the measured figures: .*promotion: assumed 600 s, measured 1500 s'));
  });

  test('a measured figure rejected on the objectives is named as written on the pattern', () => {
    expect(() => patternApp({ objectives: { measured: { promotionTime: { value: Duration.seconds(412), source: 'drill', measuredAt: '2026-13-01' } } } }))
      .toThrow("ResilienceObjectives: invalid objectives.measured.promotionTime.measuredAt '2026-13-01': a literal ISO date");
  });

  const tightBudget: Partial<MultiRegionPostgresProps> = {
    approval: false,
    expectedPromotionTime: Duration.minutes(5),
    objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } },
  };

  test('Annotations.of(pattern) does not reach a warning raised in the DR stack; the pattern\'s acknowledgeWarning does', () => {
    const unreached = patternApp(tightBudget);
    CoreAnnotations.of(unreached.orders).acknowledgeWarning('cdk-resilient-postgres:objectiveHeadroom', 'promotion measured at 5 min in drills');
    Annotations.fromStack(unreached.drStack).hasWarning('/Dr/Orders/Objectives', Match.stringLikeRegexp('headroom'));

    const acknowledged = patternApp(tightBudget);
    acknowledged.orders.acknowledgeWarning('cdk-resilient-postgres:objectiveHeadroom', 'promotion measured at 5 min in drills');
    Annotations.fromStack(acknowledged.drStack).hasNoWarning('*', Match.anyValue());
  });

  test('the pattern\'s acknowledgeWarning reaches both stacks, and only the warning it names', () => {
    const { orders, primaryStack, drStack } = patternApp({ ...tightBudget, removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(primaryStack).hasWarning('/Primary/Orders/Primary', Match.stringLikeRegexp(Warnings.DATABASE_DESTROYED_WITH_STACK));
    orders.acknowledgeWarning(Warnings.DATABASE_DESTROYED_WITH_STACK, 'a test environment, rebuilt from the primary\'s snapshots');
    Annotations.fromStack(primaryStack).hasNoWarning('*', Match.anyValue());
    // The replica's destroy warning is gone too; the objectives warning, not named, stays.
    expect(Annotations.fromStack(drStack).findWarning('*', Match.anyValue()).map((w) => w.id)).toEqual(['/Dr/Orders/Objectives']);
  });

  test('the headroom warning can be acknowledged on the DR scope', () => {
    const app = newApp();
    const { drStack } = patternApp({
      approval: false,
      expectedPromotionTime: Duration.minutes(5),
      objectives: { regionFailure: { rto: Duration.minutes(15), rpo: Duration.minutes(2) } },
    }, app);
    CoreAnnotations.of(drStack).acknowledgeWarning(Warnings.OBJECTIVE_HEADROOM, 'promotion measured at 5 min in drills');
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
    ['a DR key in the primary Region', { drBackupKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10` }, 'drBackupKeyArn'],
    ['a secret key in the primary Region', { drSecretKeyArn: `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64` },
      `MultiRegionPostgres: invalid drSecretKeyArn 'arn:aws:kms:us-east-1:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64': a key in the DR Region us-west-2, not us-east-1`],
    ['a secret key of another account', { drSecretKeyArn: `arn:aws:kms:${DR_REGION}:222222222222:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64` },
      "MultiRegionPostgres: invalid drSecretKeyArn 'arn:aws:kms:us-west-2:222222222222:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64': a key in the primary's account 111111111111, not 222222222222"],
    ['a secret key alias', { drSecretKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:alias/orders-secrets` },
      `MultiRegionPostgres: invalid drSecretKeyArn 'arn:aws:kms:us-west-2:${ACCOUNT}:alias/orders-secrets': a literal KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key id>)`],
    ['a secret key ID instead of an ARN', { drSecretKeyArn: '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64' }, "MultiRegionPostgres: invalid drSecretKeyArn '8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64'"],
    ['no secret key', { drSecretKeyArn: undefined }, 'MultiRegionPostgres: invalid drSecretKeyArn (unset): a literal KMS key ARN'],
  ])('%s', (_name, props, message) => {
    expect(() => patternApp(props as Partial<MultiRegionPostgresProps>)).toThrow(message);
  });

  test('a DR scope in the primary\'s Region, or without a Region', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
    const base = { name: 'orders', zoneName: 'orders.internal', drBackupKeyArn: DR_KEY, drSecretKeyArn: DR_SECRET_KEY, primaryEndpointAddress: PRIMARY_ENDPOINT, primaryVpcId: PRIMARY_VPC_ID };
    expect(() => new MultiRegionPostgres(primaryStack, 'A', { ...base, drScope: newStack(app, 'Same', PRIMARY_REGION) }))
      .toThrow("MultiRegionPostgres: invalid drScope 'Same': a scope in a stack with a concrete Region other than the primary's (us-east-1)");
    expect(() => new MultiRegionPostgres(primaryStack, 'B', { ...base, drScope: new Stack(app, 'Agnostic') }))
      .toThrow("MultiRegionPostgres: invalid drScope 'Agnostic'");
    expect(() => new MultiRegionPostgres(new Stack(app, 'AgnosticPrimary'), 'C', { ...base, drScope: newStack(app, 'Dr', DR_REGION) }))
      .toThrow("MultiRegionPostgres: invalid scope 'AgnosticPrimary/C': a scope in a stack with a concrete Region (env.region)");
  });
});

describe('errors in objectives name the prop as written on the pattern', () => {
  test.each<[string, Partial<MultiRegionPostgresProps>, RegExp]>([
    ['a Region RTO below the worst case', { objectives: { regionFailure: { rto: Duration.minutes(5), rpo: Duration.minutes(2) } } },
      /^\[Dr\/Orders\/Objectives\] ResilienceObjectives: objectives\.regionFailure\.rto is 300 s, but the configuration's worst case is/],
    ['a Region RPO below one ReplicaLag period', { objectives: { regionFailure: { rto: Duration.hours(2), rpo: Duration.seconds(30) } } },
      /^\[Dr\/Orders\/Objectives\] ResilienceObjectives: invalid objectives\.regionFailure\.rpo '30 seconds': at least 60 seconds/],
    ['an AZ failover estimate below 60 s', { objectives: { azFailoverTime: Duration.seconds(10) } },
      /^\[Dr\/Orders\/Objectives\] ResilienceObjectives: invalid objectives\.azFailoverTime '10 seconds'/],
    ['a headroom of 1', { objectives: { minimumHeadroom: 1 } },
      /^\[Dr\/Orders\/Objectives\] ResilienceObjectives: invalid objectives\.minimumHeadroom 1/],
  ])('%s', (_name, props, message) => {
    expect(() => patternApp(props)).toThrow(message);
  });

  test('a ResilienceObjectives of the user names its props without the prefix', () => {
    const parts = runbookApp({ automaticPromotion: true, approval: true });
    expect(() => new ResilienceObjectives(parts.drStack, 'Objectives', { runbook: parts.runbook, azFailoverTime: Duration.seconds(10) }))
      .toThrow(/^\[Dr\/Objectives\] ResilienceObjectives: invalid azFailoverTime '10 seconds'/);
  });
});
