import { Duration, Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmSeverity, DbAlarmSet, DbAlarmSetProps, ReplicationRole, PostgresInstanceBase } from '../../src';
import { ACCOUNT, dbStack, failoverApp, newStack, record } from '../util';

/** The alarms of a template by name: metric, statistic, threshold, comparison, periods. */
function alarmsOf(template: ReturnType<typeof record>): Record<string, any> {
  return Object.fromEntries(Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((r: any) => [r.Properties.AlarmName, r.Properties]));
}

describe('defaults on a MultiAzPostgres primary (db.m7g.large, 100 GiB)', () => {
  const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
  const alarmSet = new DbAlarmSet(stack, 'Alarms', { instance: db });
  const template = record(stack);
  const alarms = alarmsOf(template);

  test('eleven alarms for a primary, no ReplicaLag', () => {
    expect(alarmSet.replicationRole).toBe(ReplicationRole.PRIMARY);
    expect(Object.keys(alarms).sort()).toEqual([
      'orders-primary-cpu-utilization', 'orders-primary-database-connections', 'orders-primary-disk-queue-depth',
      'orders-primary-free-storage-space', 'orders-primary-freeable-memory', 'orders-primary-maximum-used-transaction-ids',
      'orders-primary-oldest-replication-slot-lag', 'orders-primary-read-latency', 'orders-primary-swap-usage',
      'orders-primary-transaction-logs-disk-usage', 'orders-primary-write-latency',
    ]);
  });

  test.each([
    // name, metric, statistic, threshold, comparison, period, evaluation periods
    ['cpu-utilization', 'CPUUtilization', 'Maximum', 80, 'GreaterThanThreshold', 300, 3],
    ['freeable-memory', 'FreeableMemory', 'Minimum', 0.1 * 8 * 1024 ** 3, 'LessThanThreshold', 300, 3],
    ['swap-usage', 'SwapUsage', 'Maximum', 256 * 1024 ** 2, 'GreaterThanThreshold', 300, 3],
    ['free-storage-space', 'FreeStorageSpace', 'Minimum', 0.1 * 100 * 1024 ** 3, 'LessThanThreshold', 300, 1],
    // max_connections for 8 GiB: LEAST(8 GiB / 9531392, 5000) = 901; 80 % of it
    ['database-connections', 'DatabaseConnections', 'Maximum', 0.8 * 901, 'GreaterThanThreshold', 300, 3],
    ['read-latency', 'ReadLatency', 'Maximum', 0.02, 'GreaterThanThreshold', 300, 3],
    ['write-latency', 'WriteLatency', 'Maximum', 0.02, 'GreaterThanThreshold', 300, 3],
    ['disk-queue-depth', 'DiskQueueDepth', 'Maximum', 64, 'GreaterThanThreshold', 300, 3],
    ['oldest-replication-slot-lag', 'OldestReplicationSlotLag', 'Maximum', 0.1 * 100 * 1024 ** 3, 'GreaterThanThreshold', 300, 1],
    ['transaction-logs-disk-usage', 'TransactionLogsDiskUsage', 'Maximum', 0.1 * 100 * 1024 ** 3, 'GreaterThanThreshold', 300, 1],
    ['maximum-used-transaction-ids', 'MaximumUsedTransactionIDs', 'Maximum', 1e9, 'GreaterThanThreshold', 300, 1],
  ])('%s: %s %s, threshold %d, %s, %d s x %d', (name, metric, statistic, threshold, comparison, period, evaluations) => {
    const alarm = alarms[`orders-primary-${name}`];
    expect(alarm).toMatchObject({
      Namespace: 'AWS/RDS',
      MetricName: metric,
      Statistic: statistic,
      ComparisonOperator: comparison,
      Period: period,
      EvaluationPeriods: evaluations,
      DatapointsToAlarm: evaluations,
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-primary' }],
    });
    expect(alarm.Threshold).toBeCloseTo(threshold, 6);
  });

  test('max_connections is derived from the class', () => {
    expect(alarmSet.maxConnections).toBe(901);
  });

  test('every alarm sends ALARM and OK to the topic, and says its severity', () => {
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect(alarm.AlarmDescription).toMatch(/^\[(CRITICAL|WARNING)\] orders-primary: /);
    }
    expect(alarms['orders-primary-free-storage-space'].AlarmDescription).toMatch(/^\[CRITICAL\]/);
    expect(alarms['orders-primary-cpu-utilization'].AlarmDescription).toMatch(/^\[WARNING\]/);
  });

  test('the created topic is encrypted with a rotating, retained key and refuses publishers without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsTopicKey'), 'Arn'] },
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, Description: Match.stringLikeRegexp('alarm and event topic') }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'AllowRdsEvents', Principal: { Service: 'events.rds.amazonaws.com' } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchAndRdsEventsToPublish',
          Principal: { Service: ['cloudwatch.amazonaws.com', 'events.rds.amazonaws.com'] },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        })]),
      },
    });
  });

  test('the topic policy lets the alarms of this account and Region publish: it replaces SNS\'s default policy', () => {
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#sns-allow-cloudwatch-alarm-to-publish-to-topic-in-another-account
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchAlarms',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: Match.stringLikeRegexp('^AlarmsTopic') },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` },
          },
        }]),
      },
    });
  });

  test('RDS events may publish for the source DB instance: aws:SourceArn is the instance, not the subscription', () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.GrantingPermissions.html
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'AllowRdsEvents',
          Effect: 'Allow',
          Principal: { Service: 'events.rds.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: Match.stringLikeRegexp('^AlarmsTopic') },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary` },
          },
        }]),
      },
    });
  });

  test('the key lets CloudWatch and RDS events encrypt for this account only', () => {
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowCloudWatchAndRdsEventsToPublish',
          Effect: 'Allow',
          Principal: { Service: ['cloudwatch.amazonaws.com', 'events.rds.amazonaws.com'] },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        }]),
      },
    });
  });

  test('an RDS event subscription for the instance, on the topic', () => {
    template.hasResourceProperties('AWS::RDS::EventSubscription', {
      SourceType: 'db-instance',
      SourceIds: ['orders-primary'],
      EventCategories: ['availability', 'failover', 'failure', 'low storage', 'maintenance', 'read replica', 'recovery', 'restoration'],
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') },
      Enabled: true,
    });
  });

  test('the event subscription waits for the DB instance: RDS refuses a subscription to a source that does not exist yet', () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateEventSubscription.html (SourceNotFound)
    const [instanceId] = Object.keys(template.findResources('AWS::RDS::DBInstance'));
    const [subscription] = Object.values(template.findResources('AWS::RDS::EventSubscription')) as any[];
    expect(subscription.DependsOn).toContain(instanceId);
  });

  test('a dashboard with an alarm status widget and one widget per alarm', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect((dashboards[0] as any).Properties.DashboardName).toBe('orders-primary-database');
    const body = JSON.stringify(template.toJSON().Resources[Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0]].Properties.DashboardBody);
    expect(body).toContain('"type\\":\\"alarm\\"');
    expect((body.match(/alarms\\":\[/g) ?? []).length).toBeGreaterThanOrEqual(12);
  });
});

describe('a replica', () => {
  const { drStack, drAlarms } = failoverApp();
  const template = record(drStack);
  const alarms = alarmsOf(template);

  test('is detected as a replica and gets a ReplicaLag alarm against the RPO, -1 and no data breaching', () => {
    expect(drAlarms.replicationRole).toBe(ReplicationRole.REPLICA);
    const lag = alarms['orders-dr-replica-lag'];
    expect(lag).toMatchObject({
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(lag < 0, 61, lag)', Label: 'ReplicaLag (-1 counted as breaching)' },
        { Id: 'lag', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag' }, Period: 60, Stat: 'Maximum' } },
      ],
    });
    expect(lag.AlarmDescription).toMatch(/^\[CRITICAL\] orders-dr: replica lag above 60 s \(RPO\)/);
    expect(Object.keys(alarms).filter((n) => n.startsWith('orders-dr-') && !/not-writable|unreachable|-writable$|-promoted$/.test(n))).toHaveLength(12);
  });

  test('the replica\'s event subscription waits for the replica', () => {
    const [instanceId] = Object.keys(template.findResources('AWS::RDS::DBInstance'));
    const [subscription] = Object.values(template.findResources('AWS::RDS::EventSubscription')) as any[];
    expect(subscription.DependsOn).toContain(instanceId);
  });

  test('the replica\'s topic names the replica in its Region for RDS events, and its alarms', () => {
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.find((st: any) => st.Sid === 'AllowRdsEvents').Condition.ArnLike)
      .toEqual({ 'aws:SourceArn': `arn:aws:rds:us-west-2:${ACCOUNT}:db:orders-dr` });
    expect(statements.find((st: any) => st.Sid === 'AllowCloudWatchAlarms')?.Condition.ArnLike)
      .toEqual({ 'aws:SourceArn': `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:*` });
  });
});

describe('descriptions state the actual threshold', () => {
  const cases: [keyof DbAlarmSetProps, string, string, number][] = [
    // prop, alarm name suffix, default text, override
    ['cpuUtilization', 'cpu-utilization', 'above 80 %', 70],
    ['freeableMemory', 'freeable-memory', 'below 10 % of memory', 15],
    ['swapUsage', 'swap-usage', 'above 256 MiB', 128],
    ['freeStorageSpace', 'free-storage-space', 'below 10 % of allocated storage', 20],
    ['databaseConnections', 'database-connections', 'above 80 % of max_connections', 70],
    ['readLatency', 'read-latency', 'above 20 ms', 35],
    ['writeLatency', 'write-latency', 'above 20 ms', 35],
    ['diskQueueDepth', 'disk-queue-depth', 'above 64 requests', 32],
    ['replicaLag', 'replica-lag', 'above 60 s (RPO)', 30],
    ['oldestReplicationSlotLag', 'oldest-replication-slot-lag', 'above 10 % of allocated storage', 5],
    ['transactionLogsDiskUsage', 'transaction-logs-disk-usage', 'above 10 % of allocated storage', 5],
    ['maximumUsedTransactionIds', 'maximum-used-transaction-ids', 'above 1000000000 transaction IDs', 500_000_000],
  ];
  const descriptions = (overrides: Partial<DbAlarmSetProps>) => {
    const parts = failoverApp();
    new DbAlarmSet(parts.drStack, 'Extra', {
      instance: parts.replica,
      allocatedStorage: Size.gibibytes(100),
      eventSubscription: false,
      dashboard: false,
      topic: parts.drAlarms.topic,
      instanceIdentifier: 'orders-dr-x',
      ...overrides,
    });
    return Object.fromEntries(Object.entries(alarmsOf(record(parts.drStack)))
      .filter(([name]) => name.startsWith('orders-dr-x-'))
      .map(([name, p]) => [name.replace('orders-dr-x-', ''), p.AlarmDescription as string]));
  };
  const defaults = descriptions({});

  test.each(cases)('%s: the default, and an override that changes the text', (prop, name, text, value) => {
    expect(defaults[name]).toContain(text);
    const changed = descriptions({ [prop]: { threshold: value } })[name];
    expect(changed).not.toContain(text);
    expect(changed).toMatch(new RegExp(`(above|below) ${value} `));
  });

  test('a replica lag threshold other than the RPO does not call itself the RPO; a changed RPO is stated', () => {
    expect(descriptions({ replicaLag: { threshold: 30 } })['replica-lag']).toMatch(/replica lag above 30 s; replication stopped/);
    expect(descriptions({ replicaLagThreshold: Duration.seconds(45) })['replica-lag']).toMatch(/replica lag above 45 s \(RPO\); replication stopped/);
  });
});

describe('overrides', () => {
  test('thresholds, periods, severity, disabled alarms, RPO, a given topic, no events, no dashboard', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const topic = new sns.Topic(stack, 'OpsTopic', { enforceSSL: true });
    new DbAlarmSet(stack, 'Alarms', {
      instance: db,
      topic,
      cpuUtilization: { threshold: 70, period: Duration.minutes(1), evaluationPeriods: 10, datapointsToAlarm: 8, severity: AlarmSeverity.CRITICAL },
      diskQueueDepth: { enabled: false },
      databaseConnections: { threshold: 90 },
      eventSubscription: false,
      dashboard: false,
      maxConnections: 200,
    });
    const template = record(stack);
    const alarms = alarmsOf(template);
    expect(alarms['orders-primary-cpu-utilization']).toMatchObject({
      Threshold: 70, Period: 60, EvaluationPeriods: 10, DatapointsToAlarm: 8, AlarmActions: [{ Ref: expect.stringMatching(/^OpsTopic/) }],
    });
    expect(alarms['orders-primary-cpu-utilization'].AlarmDescription).toMatch(/^\[CRITICAL\]/);
    expect(alarms['orders-primary-disk-queue-depth']).toBeUndefined();
    expect(alarms['orders-primary-database-connections'].Threshold).toBe(180);
    template.resourceCountIs('AWS::RDS::EventSubscription', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('an imported instance, with the figures given by hand', () => {
    const stack = newStack();
    const instance = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Imported', {
      instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:legacy-db',
      endpointAddress: 'legacy-db.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
    });
    const set = new DbAlarmSet(stack, 'Alarms', {
      instance, instanceClass: 'db.r7g.xlarge', allocatedStorage: Size.gibibytes(500), replicationRole: ReplicationRole.REPLICA, replicaLagThreshold: Duration.seconds(30),
    });
    const alarms = alarmsOf(record(stack));
    // r7g.xlarge: 32 GiB -> LEAST(32 GiB / 9531392, 5000) = 3604
    expect(set.maxConnections).toBe(3604);
    expect(alarms['legacy-db-free-storage-space'].Threshold).toBe(50 * 1024 ** 3);
    expect(alarms['legacy-db-replica-lag'].Threshold).toBe(30);
  });
});

describe('rejections', () => {
  const cases: Array<[string, (s: ReturnType<typeof dbStack>) => DbAlarmSet, string]> = [
    ['threshold below zero', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, cpuUtilization: { threshold: -1 } }),
      'DbAlarmSet: invalid cpuUtilization.threshold -1: a number of %, zero or more'],
    ['percentage above 100', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, freeStorageSpace: { threshold: 120 } }),
      'DbAlarmSet: invalid freeStorageSpace.threshold 120: a percentage from 0 to 100 (% of allocated storage)'],
    ['sub-minute period', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, readLatency: { period: Duration.seconds(10) } }),
      'DbAlarmSet: invalid readLatency.period \'10 seconds\': a whole number of minutes from 1 to 1440: RDS publishes instance metrics every 60 seconds'],
    ['more datapoints than periods', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, swapUsage: { evaluationPeriods: 2, datapointsToAlarm: 3 } }),
      'DbAlarmSet: invalid swapUsage.datapointsToAlarm 3: a whole number from 1 to evaluationPeriods (2)'],
    ['zero periods', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, swapUsage: { evaluationPeriods: 0 } }),
      'DbAlarmSet: invalid swapUsage.evaluationPeriods 0: a whole number, at least 1, spanning at most one day'],
    ['fractional max_connections', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, maxConnections: 10.5 }),
      'DbAlarmSet: invalid maxConnections 10.5: a whole number of connections, at least 1'],
    ['empty allocated storage', ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, allocatedStorage: Size.gibibytes(0) }),
      'DbAlarmSet: invalid allocatedStorage 0: a positive size'],
    ['sub-second replicaLagThreshold',
      ({ stack, db }) => new DbAlarmSet(stack, 'A', { instance: db, replicaLagThreshold: Duration.millis(500) }),
      'DbAlarmSet: invalid replicaLagThreshold \'500 millis\': a whole number of seconds, at least 1 second'],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    expect(() => make(dbStack())).toThrow(message);
  });

  test('an imported instance without the figures the relative thresholds need', () => {
    const stack = newStack();
    const instance = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Imported', {
      instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:legacy-db',
      endpointAddress: 'x.rds.amazonaws.com',
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
    });
    expect(() => new DbAlarmSet(stack, 'A', { instance })).toThrow(
      'DbAlarmSet: invalid instanceClass (unset): the freeableMemory alarm is relative to a figure not known at synth time; give instanceClass (a class whose memory is known), or set freeableMemory: { enabled: false }');
    expect(() => new DbAlarmSet(stack, 'B', { instance, instanceClass: 'db.m7g.large' })).toThrow(
      'DbAlarmSet: invalid allocatedStorage (unset): the freeStorageSpace alarm is relative to a figure not known at synth time; give allocatedStorage, or set freeStorageSpace: { enabled: false }');
  });

  test('an instance whose identifier is a deploy-time value', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    expect(() => PostgresInstanceBase.fromDatabaseInstance(stack, 'Wrapped', instance)).toThrow(
      "PostgresInstanceBase.fromDatabaseInstance: invalid instance 'TestStack/Db': a DB instance with a literal instanceIdentifier");
  });
});
