/**
 * The reference app written by hand with aws-cdk-lib's own L2 and L1 constructs only, for the benchmark: the same
 * three stacks with the same resources (the benchmark compares the resource types and counts and reports any
 * difference). It is what a team would write without the library, settings included, minus the library's checks.
 * The failover runbook's definition is a literal here (a hand-written app would carry its own ASL); the benchmark
 * reads it from the reference app's template once, before timing.
 */
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

const ACCOUNT = '111111111111';
const PRIMARY_REGION = 'us-east-1';
const DR_REGION = 'us-west-2';
const DR_BACKUP_KEY_ARN = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;
const PRIMARY_VPC_ID = 'vpc-0a1b2c3d4e5f60718';
const PRIMARY_ENDPOINT = 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';
const PROBE_ASSET = path.join(__dirname, '..', '..', 'assets', 'writable-probe', 'db-probe.lambda');

function key(scope: Construct, id: string, description: string, logsPattern?: string): kms.Key {
  const k = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  if (logsPattern) {
    const stack = Stack.of(scope);
    k.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${stack.region}:${stack.account}:log-group:${logsPattern}` } },
    }));
  }
  return k;
}

function network(scope: Construct, cidr: string) {
  const k = key(scope, 'FlowLogKey', 'VPC flow logs', '/vpc/flow-logs/*');
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(cidr),
    maxAzs: 2,
    natGateways: 0,
    restrictDefaultSecurityGroup: false,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogGroup', { encryptionKey: k, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const flowLogRole = new iam.Role(scope, 'FlowLogRole', { assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com') });
  new iam.ManagedPolicy(scope, 'FlowLogPolicy', {
    roles: [flowLogRole],
    statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] })],
  });
  vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole.withoutPolicyUpdates()) });
  const sm = vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, open: false });
  const cloudwatchEndpoint = vpc.addInterfaceEndpoint('Monitoring', { service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING, open: false });
  return { vpc, sm, cloudwatchEndpoint };
}

function alarms(scope: Construct, identifier: string, topic: sns.ITopic, replica: boolean): cloudwatch.Alarm[] {
  const metric = (name: string, statistic = 'Average') => new cloudwatch.Metric({
    namespace: 'AWS/RDS', metricName: name, dimensionsMap: { DBInstanceIdentifier: identifier }, statistic, period: Duration.minutes(1),
  });
  const specs: Array<[string, string, number, cloudwatch.ComparisonOperator]> = [
    ['cpu', 'CPUUtilization', 80, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['freeable-memory', 'FreeableMemory', 800_000_000, cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD],
    ['swap-usage', 'SwapUsage', 256_000_000, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['free-storage-space', 'FreeStorageSpace', 10_737_418_240, cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD],
    ['database-connections', 'DatabaseConnections', 800, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['read-latency', 'ReadLatency', 0.02, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['write-latency', 'WriteLatency', 0.02, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['disk-queue-depth', 'DiskQueueDepth', 64, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['maximum-used-transaction-ids', 'MaximumUsedTransactionIDs', 1_000_000_000, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['transaction-logs-disk-usage', 'TransactionLogsDiskUsage', 10_737_418_240, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ['oldest-replication-slot-lag', 'OldestReplicationSlotLag', 10_737_418_240, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD],
    ...(replica ? [['replica-lag', 'ReplicaLag', 60, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD] as [string, string, number, cloudwatch.ComparisonOperator]] : []),
  ];
  return specs.map(([id, name, threshold, op]) => {
    const alarm = new cloudwatch.Alarm(scope, `Alarm-${id}`, {
      alarmName: `${identifier}-${id}`,
      metric: metric(name, name === 'ReplicaLag' ? 'Maximum' : 'Average'),
      threshold,
      comparisonOperator: op,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    alarm.addAlarmAction(new cwActions.SnsAction(topic));
    alarm.addOkAction(new cwActions.SnsAction(topic));
    return alarm;
  });
}

function monitoring(scope: Construct, identifier: string, instance: rds.IDatabaseInstance, replica: boolean) {
  const topicKey = key(scope, 'TopicKey', `Alarm topic of ${identifier}`);
  topicKey.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.rds.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
  }));
  const topic = new sns.Topic(scope, 'Topic', { masterKey: topicKey, enforceSSL: true });
  const stack = Stack.of(scope);
  // A topic policy replaces SNS's default one, so CloudWatch alarms and RDS events are named, as DbAlarmSet does.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } },
  }));
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.rds.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:rds:${stack.region}:${stack.account}:db:${identifier}` } },
  }));
  const list = alarms(scope, identifier, topic, replica);
  new rds.CfnEventSubscription(scope, 'Events', {
    snsTopicArn: topic.topicArn,
    sourceType: 'db-instance',
    sourceIds: [identifier],
    eventCategories: ['availability', 'failover', 'failure', 'low storage', 'maintenance', 'notification', 'recovery'],
  });
  new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: identifier, widgets: [list.map((a) => new cloudwatch.AlarmWidget({ alarm: a, width: 6 }))],
  });
  return { topic, topicKey, instance };
}

function probe(scope: Construct, identifier: string, instance: rds.DatabaseInstanceBase, secret: secretsmanager.ISecret, vpc: ec2.IVpc,
  endpoints: ec2.IConnectable[], topic: sns.ITopic) {
  const logKey = key(scope, 'ProbeLogKey', `Probe logs of ${identifier}`, `/aws/lambda/${identifier}-probe`);
  const logGroup = new logs.LogGroup(scope, 'ProbeLogGroup', {
    logGroupName: `/aws/lambda/${identifier}-probe`, encryptionKey: logKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(scope, 'ProbeRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new iam.ManagedPolicy(scope, 'ProbePolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
      new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': 'CdkResilientPostgres' } } }),
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface'], resources: ['*'] }),
    ],
  });
  const sg = new ec2.SecurityGroup(scope, 'ProbeSecurityGroup', { vpc, allowAllOutbound: false });
  const fn = new lambda.Function(scope, 'Probe', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(PROBE_ASSET),
    description: `Writable-primary probe of ${identifier}`,
    role: role.withoutPolicyUpdates(),
    vpc,
    securityGroups: [sg],
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    timeout: Duration.seconds(20),
    reservedConcurrentExecutions: 1,
    logGroup,
    environment: {
      SECRET_ARN: secret.secretArn,
      DB_HOST: instance.dbInstanceEndpointAddress,
      DB_PORT: '5432',
      DB_NAME: 'postgres',
      DB_INSTANCE_IDENTIFIER: identifier,
      METRIC_NAMESPACE: 'CdkResilientPostgres',
      PROBE_TIMEOUT_MS: '10000',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    },
  });
  instance.connections.allowDefaultPortFrom(sg);
  for (const e of endpoints) e.connections.allowFrom(sg, ec2.Port.tcp(443));
  new events.Rule(scope, 'ProbeSchedule', { schedule: events.Schedule.rate(Duration.minutes(1)), targets: [new targets.LambdaFunction(fn)] });
  const signal = (name: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'CdkResilientPostgres', metricName: name, dimensionsMap: { DBInstanceIdentifier: identifier }, statistic, period: Duration.minutes(1),
  });
  const alarm = (id: string, metric: cloudwatch.Metric, op: cloudwatch.ComparisonOperator, missing: cloudwatch.TreatMissingData) => {
    const a = new cloudwatch.Alarm(scope, id, {
      alarmName: `${identifier}-${id.toLowerCase()}`, metric, threshold: 1, evaluationPeriods: 2, comparisonOperator: op, treatMissingData: missing,
    });
    a.addAlarmAction(new cwActions.SnsAction(topic));
    return a;
  };
  return {
    notWritable: alarm('NotWritable', signal('Writable', 'Minimum'), cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, cloudwatch.TreatMissingData.BREACHING),
    unreachable: alarm('Unreachable', signal('Reachable', 'Minimum'), cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, cloudwatch.TreatMissingData.BREACHING),
    writable: alarm('Writable', signal('Writable', 'Maximum'), cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      cloudwatch.TreatMissingData.NOT_BREACHING),
  };
}

function postgresLogs(scope: Construct, identifier: string, k: kms.IKey) {
  for (const name of ['postgresql', 'upgrade']) {
    new logs.LogGroup(scope, `${name}Logs`, {
      logGroupName: `/aws/rds/instance/${identifier}/${name}`, encryptionKey: k, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

/** The three stacks of the reference app, by hand. `definition` is the runbook's ASL. */
export function defineHandwrittenApp(app: App, definition: string, suffix = ''): Stack[] {
  const name = `orders${suffix}`;
  const foundation = new Stack(app, `OrdersDrFoundation${suffix}`, { env: { account: ACCOUNT, region: DR_REGION } });
  const vaultKey = key(foundation, 'VaultKey', 'DR backup vault');
  const vault = new backup.BackupVault(foundation, 'Vault', {
    backupVaultName: `${name}-dr`,
    encryptionKey: vaultKey,
    removalPolicy: RemovalPolicy.RETAIN,
    lockConfiguration: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) },
  });
  const restoreRole = new iam.Role(foundation, 'RestoreRole', { assumedBy: new iam.ServicePrincipal('backup.amazonaws.com') });
  new iam.ManagedPolicy(foundation, 'RestorePolicy', {
    roles: [restoreRole], statements: [new iam.PolicyStatement({ actions: ['rds:CreateDBInstance', 'rds:RestoreDBInstanceFromDBSnapshot'], resources: ['*'] })],
  });
  const plan = new backup.CfnRestoreTestingPlan(foundation, 'RestoreTesting', {
    restoreTestingPlanName: `${name}_dr_restore_testing`,
    scheduleExpression: 'cron(0 5 ? * SUN *)',
    recoveryPointSelection: { algorithm: 'LATEST_WITHIN_WINDOW', includeVaults: [vault.backupVaultArn], recoveryPointTypes: ['SNAPSHOT'], selectionWindowDays: 7 },
  });
  new backup.CfnRestoreTestingSelection(foundation, 'RestoreSelection', {
    restoreTestingPlanName: plan.restoreTestingPlanName,
    restoreTestingSelectionName: 'rds',
    protectedResourceType: 'RDS',
    iamRoleArn: restoreRole.roleArn,
    protectedResourceArns: ['*'],
    validationWindowHours: 1,
  }).node.addDependency(plan);

  // --- primary ---
  const primary = new Stack(app, `OrdersPrimary${suffix}`, { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  primary.addStackDependency(foundation);
  const net = network(primary, '10.0.0.0/16');
  const dbKey = key(primary, 'DbKey', `${name}-primary storage, secret, logs`, `/aws/rds/instance/${name}-primary/*`);
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 });
  // What the primary and the replica share: TLS-only parameters, class, subnets, IAM auth, logs, monitoring, storage.
  const instanceSettings = (scope: Construct, storageKey: kms.IKey) => ({
    parameterGroup: new rds.ParameterGroup(scope, 'Params', { engine, parameters: { 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' } }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncryptionKey: storageKey,
    iamAuthentication: true,
    deletionProtection: true,
    cloudwatchLogsExports: ['postgresql', 'upgrade'],
    enablePerformanceInsights: true,
    performanceInsightEncryptionKey: storageKey,
    monitoringInterval: Duration.seconds(30),
    maxAllocatedStorage: 200,
    storageType: rds.StorageType.GP3,
    publiclyAccessible: false,
  });
  const secret = new rds.DatabaseSecret(primary, 'Secret', {
    username: 'postgres', secretName: `${name}-primary/master`, encryptionKey: dbKey, replicaRegions: [{ region: DR_REGION }],
  });
  secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
  postgresLogs(primary, `${name}-primary`, dbKey);
  const db = new rds.DatabaseInstance(primary, 'Db', {
    ...instanceSettings(primary, dbKey),
    engine,
    instanceIdentifier: `${name}-primary`,
    vpc: net.vpc,
    multiAz: true,
    storageEncrypted: true,
    credentials: rds.Credentials.fromSecret(secret),
    databaseName: name,
    allocatedStorage: 100,
    backupRetention: Duration.days(35),
    copyTagsToSnapshot: true,
    performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_1,
    autoMinorVersionUpgrade: true,
    removalPolicy: RemovalPolicy.SNAPSHOT,
  });
  const cfnDb = db.node.defaultChild as rds.CfnDBInstance;
  cfnDb.automaticBackupReplicationRegion = DR_REGION;
  cfnDb.automaticBackupReplicationKmsKeyId = DR_BACKUP_KEY_ARN;
  cfnDb.automaticBackupReplicationRetentionPeriod = 35;
  db.addRotationSingleUser({
    automaticallyAfter: Duration.days(30), endpoint: net.sm, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  // The rotation function reads and writes the secret through the endpoint.
  const rotationSg = db.node.findChild('RotationSingleUser').node.findChild('SecurityGroup') as ec2.ISecurityGroup;
  net.sm.connections.allowFrom(rotationSg, ec2.Port.tcp(443), 'rotation function');
  const backupVault = new backup.BackupVault(primary, 'BackupVault', {
    encryptionKey: key(primary, 'BackupVaultKey', 'Backup vault'), removalPolicy: RemovalPolicy.RETAIN,
  });
  const backupPlan = new backup.BackupPlan(primary, 'BackupPlan', { backupVault });
  backupPlan.addRule(new backup.BackupPlanRule({
    ruleName: 'daily',
    scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
    deleteAfter: Duration.days(35),
    copyActions: [{ destinationBackupVault: backup.BackupVault.fromBackupVaultArn(primary, 'DrVault', `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:${name}-dr`), moveToColdStorageAfter: undefined, deleteAfter: Duration.days(35) }],
  }));
  backupPlan.addSelection('Selection', { resources: [backup.BackupResource.fromRdsDatabaseInstance(db)] });
  const primaryMon = monitoring(primary, `${name}-primary`, db, false);
  const primaryProbe = probe(primary, `${name}-primary`, db, secret, net.vpc, [net.sm, net.cloudwatchEndpoint], primaryMon.topic);

  // --- DR ---
  const dr = new Stack(app, `OrdersDr${suffix}`, { env: { account: ACCOUNT, region: DR_REGION } });
  dr.addStackDependency(primary);
  const drNet = network(dr, '10.1.0.0/16');
  const replicaKey = key(dr, 'ReplicaKey', `${name}-dr storage and logs`, `/aws/rds/instance/${name}-dr/*`);
  postgresLogs(dr, `${name}-dr`, replicaKey);
  const replica = new rds.DatabaseInstanceReadReplica(dr, 'Replica', {
    ...instanceSettings(dr, replicaKey),
    sourceDatabaseInstance: rds.DatabaseInstance.fromDatabaseInstanceAttributes(dr, 'Source', {
      instanceIdentifier: `${name}-primary`, instanceEndpointAddress: PRIMARY_ENDPOINT, port: 5432, securityGroups: [], engine,
    }),
    instanceIdentifier: `${name}-dr`,
    vpc: drNet.vpc,
    multiAz: false,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // A replica inherits encryption; CloudFormation rejects StorageEncrypted next to SourceDBInstanceIdentifier.
  (replica.node.defaultChild as rds.CfnDBInstance).storageEncrypted = undefined;
  const drMon = monitoring(dr, `${name}-dr`, replica, true);
  const drSecret = secretsmanager.Secret.fromSecretNameV2(dr, 'ReplicatedSecret', `${name}-primary/master`);
  const drProbe = probe(dr, `${name}-dr`, replica, drSecret, drNet.vpc, [drNet.sm, drNet.cloudwatchEndpoint], drMon.topic);
  const stalled = new cloudwatch.Alarm(dr, 'Stalled', {
    alarmName: `${name}-dr-replication-stalled`,
    threshold: 180,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    metric: new cloudwatch.MathExpression({
      expression: 'IF(lag < 0, 180, lag)',
      period: Duration.minutes(1),
      usingMetrics: { lag: new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensionsMap: { DBInstanceIdentifier: `${name}-dr` }, statistic: 'Maximum' }) },
    }),
  });
  stalled.addAlarmAction(new cwActions.SnsAction(drMon.topic));

  const zone = new route53.PrivateHostedZone(dr, 'Zone', { zoneName: `${name}.internal`, vpc: drNet.vpc });
  zone.addVpc(ec2.Vpc.fromVpcAttributes(dr, 'PrimaryVpc', { vpcId: PRIMARY_VPC_ID, region: PRIMARY_REGION, availabilityZones: ['us-east-1a', 'us-east-1b'] }));
  const alarmCheck = (id: string, alarm: cloudwatch.Alarm, region: string, insufficient: string) => new route53.CfnHealthCheck(dr, id, {
    healthCheckConfig: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: alarm.alarmName, region }, insufficientDataHealthStatus: insufficient },
  });
  const primaryWriter = alarmCheck('PrimaryWriter', primaryProbe.notWritable, PRIMARY_REGION, 'Unhealthy');
  const secondaryReadOnly = alarmCheck('SecondaryReadOnly', drProbe.writable, DR_REGION, 'LastKnownStatus');
  const fenced = new route53.CfnHealthCheck(dr, 'PrimaryWriterFenced', {
    healthCheckConfig: { type: 'CALCULATED', healthThreshold: 2, childHealthChecks: [primaryWriter.attrHealthCheckId, secondaryReadOnly.attrHealthCheckId] },
  });
  const secondaryWriter = alarmCheck('SecondaryWriter', drProbe.notWritable, DR_REGION, 'Unhealthy');
  const primaryReader = alarmCheck('PrimaryReader', primaryProbe.unreachable, PRIMARY_REGION, 'Unhealthy');
  const secondaryReader = alarmCheck('SecondaryReader', drProbe.unreachable, DR_REGION, 'Unhealthy');
  const recordSet = (id: string, recordName: string, failover: string, target: string, check: route53.CfnHealthCheck) =>
    new route53.CfnRecordSet(dr, id, {
      hostedZoneId: zone.hostedZoneId,
      name: `${recordName}.${name}.internal.`,
      type: 'CNAME',
      ttl: '30',
      resourceRecords: [target],
      failover,
      setIdentifier: `${recordName}-${failover.toLowerCase()}`,
      healthCheckId: check.attrHealthCheckId,
    });
  recordSet('WriterPrimary', 'writer', 'PRIMARY', PRIMARY_ENDPOINT, fenced);
  recordSet('WriterSecondary', 'writer', 'SECONDARY', replica.dbInstanceEndpointAddress, secondaryWriter);
  recordSet('ReaderPrimary', 'reader', 'PRIMARY', PRIMARY_ENDPOINT, primaryReader);
  recordSet('ReaderSecondary', 'reader', 'SECONDARY', replica.dbInstanceEndpointAddress, secondaryReader);

  const runbookLogKey = key(dr, 'RunbookLogKey', 'Runbook logs', `/aws/vendedlogs/states/${name}-dr-failover`);
  const runbookLogs = new logs.LogGroup(dr, 'RunbookLogs', {
    logGroupName: `/aws/vendedlogs/states/${name}-dr-failover`,
    encryptionKey: runbookLogKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const runbookRole = new iam.Role(dr, 'RunbookRole', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
  const promotion = new iam.ManagedPolicy(dr, 'PromotionPolicy', {
    roles: [runbookRole],
    statements: [
      new iam.PolicyStatement({ actions: ['rds:PromoteReadReplica', 'rds:DescribeDBInstances', 'rds:AddTagsToResource'], resources: [replica.instanceArn] }),
      new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [stalled.alarmArn, drProbe.writable.alarmArn] }),
      new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': 'CdkResilientPostgres' } } }),
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [drMon.topic.topicArn] }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: [drMon.topicKey.keyArn] }),
    ],
  });
  const logging = new iam.ManagedPolicy(dr, 'LoggingPolicy', {
    roles: [runbookRole],
    statements: [new iam.PolicyStatement({
      actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
        'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
        'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      resources: ['*'],
    })],
  });
  const machine = new sfn.StateMachine(dr, 'Runbook', {
    stateMachineName: `${name}-dr-failover`,
    definitionBody: sfn.DefinitionBody.fromString(definition),
    definitionSubstitutions: { TopicArn: drMon.topic.topicArn },
    role: runbookRole.withoutPolicyUpdates(),
    tracingEnabled: true,
    logs: { destination: runbookLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
  });
  machine.node.addDependency(promotion, logging);
  const startRole = new iam.Role(dr, 'StartRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
  new iam.ManagedPolicy(dr, 'StartPolicy', {
    roles: [startRole], statements: [new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] })],
  });
  new events.Rule(dr, 'StartOnStall', {
    eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'], resources: [stalled.alarmArn], detail: { state: { value: ['ALARM'] } } },
    targets: [new targets.SfnStateMachine(machine, {
      role: startRole.withoutPolicyUpdates(),
      retryAttempts: 3,
      input: events.RuleTargetInput.fromObject({ trigger: 'alarm', reason: `${name}-dr-replication-stalled went to ALARM`, detectedAt: events.EventField.time }),
    })],
  });
  return [foundation, primary, dr];
}
