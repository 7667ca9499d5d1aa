import { Duration, Token } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IsolatedVpc, PostgresInstanceBase, PROBE_METRIC_NAMESPACE, WritableProbe, WritableProbeProps } from '../../src';
import { dbStack, failoverApp, record, synthWithNag } from '../util';

/**
 * The EC2 actions of AWSLambdaVPCAccessExecutionRole (v3), which Lambda needs on a VPC function's role.
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
 */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
].sort();

describe('defaults (primary stack of the failover app)', () => {
  const { primaryStack, primaryProbe } = failoverApp();
  const template = record(primaryStack);

  test('a Node.js 24 function from the bundled asset, in isolated subnets, with a deadline under the period and no reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 15,
      MemorySize: 256,
      ReservedConcurrentExecutions: Match.absent(),
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('isolatedSubnet1') }, { Ref: Match.stringLikeRegexp('isolatedSubnet2') }] },
      Environment: {
        Variables: {
          SECRET_ARN: { Ref: Match.stringLikeRegexp('^OrdersSecret') },
          DB_HOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersInstance'), 'Endpoint.Address'] },
          DB_PORT: '5432',
          DB_NAME: 'postgres',
          DB_INSTANCE_IDENTIFIER: 'orders-primary',
          METRIC_NAMESPACE: 'CdkResilientPostgres',
          PROBE_TIMEOUT_MS: '5000',
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^OrdersProbeLogGroup') } },
    });
    expect(primaryProbe.timeout.toSeconds()).toBe(5);
    // The HIPAA and NIST LambdaConcurrency findings are acknowledged with the reason (quota), not left open.
    const findings = synthWithNag(failoverApp().app).findings.filter((f) => f.ruleName.includes('LambdaConcurrency'));
    expect(findings).toEqual([]);
  });

  test('runs every minute, without retries of stale events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
  });

  test('two alarms fit for Route 53: standard resolution, Minimum, missing data breaching, actions on ALARM and OK', () => {
    for (const [name, metric] of [['orders-primary-not-writable', 'Writable'], ['orders-primary-unreachable', 'Reachable']]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Namespace: PROBE_METRIC_NAMESPACE,
        MetricName: metric,
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-primary' }],
        Statistic: 'Minimum',
        Period: 60,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^OrdersAlarmsTopic') }],
        OKActions: [{ Ref: Match.stringLikeRegexp('^OrdersAlarmsTopic') }],
      });
    }
  });

  test('the unreachable alarm\'s description states the probe\'s timeout: 5 s by default, the override otherwise', () => {
    const unreachable = (t: ReturnType<typeof record>, name: string) => (Object.values(t.findResources('AWS::CloudWatch::Alarm'))
      .map((r: any) => r.Properties).find((p: any) => p.AlarmName === name) as any).AlarmDescription;
    expect(unreachable(template, 'orders-primary-unreachable')).toMatch(/TLS login and SELECT within 5 s/);
    const parts = failoverApp();
    new WritableProbe(parts.primaryStack, 'SlowProbe', {
      instance: parts.primary,
      credentials: parts.primary.secret,
      topic: parts.primaryAlarms.topic,
      vpc: (parts.primaryStack.node.findChild('Network') as IsolatedVpc).vpc,
      instanceIdentifier: 'orders-primary-slow',
      timeout: Duration.seconds(10),
    });
    expect(unreachable(record(parts.primaryStack), 'orders-primary-slow-unreachable')).toMatch(/TLS login and SELECT within 10 s/);
  });

  test('the policy, statement by statement: its secret, its log group, its namespace', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrdersProbeRole') }],
      PolicyDocument: {
        Statement: [
          { Sid: 'ReadCredentials', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: Match.stringLikeRegexp('^OrdersSecret') } },
          { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProbeLogGroup'), 'Arn'] } },
          { Sid: 'PublishProbeMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkResilientPostgres' } } },
          { Sid: 'ManageNetworkInterfaces', Effect: 'Allow', Action: VPC_ACCESS_ACTIONS, Resource: '*' },
          {
            Sid: 'DecryptCredentials',
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersKey'), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
          },
        ],
      },
    });
    // No inline policies on the probe's role.
    const inline = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) =>
      JSON.stringify(p.Properties.Roles).includes('OrdersProbeRole'));
    expect(inline).toEqual([]);
  });

  test('the role may manage the function\'s network interfaces, and the function is created after that policy', () => {
    // Lambda refuses CreateFunction for a VPC function whose role lacks these; aws-cdk-lib adds
    // AWSLambdaVPCAccessExecutionRole only to roles it creates, and this role is the probe's own.
    const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, p]: [string, any]) => JSON.stringify(p.Properties.Roles).includes('OrdersProbeRole'));
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0] as [string, any];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      { Sid: 'ManageNetworkInterfaces', Effect: 'Allow', Action: VPC_ACCESS_ACTIONS, Resource: '*' });
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProbeRole'), 'Arn'] } },
    })) as any[];
    expect(fn.Properties.VpcConfig).toBeDefined();
    expect(fn.DependsOn).toContain(policyId);
    // No AWS-managed policy on the role: the permissions above are all it has.
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: 'Probe of RDS for PostgreSQL orders-primary',
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('network: egress only to the database port and HTTPS to the two endpoints', () => {
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r: any) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes('OrdersProbeSecurityGroup'));
    expect(egress.map((p) => [p.FromPort, p.ToPort, JSON.stringify(p.DestinationSecurityGroupId).match(/"(\w+?)[0-9A-F]{8}"/)?.[1]]).sort()).toEqual([
      [443, 443, 'NetworkVpcMonitoringSecurityGroup'],
      [443, 443, 'NetworkVpcSecretsManagerSecurityGroup'],
      [5432, 5432, 'OrdersSecurityGroup'],
    ]);
    // Inline, only the rule that matches no traffic: a group with no inline egress keeps EC2's default allow-all
    // rule, which the three separate rules above do not remove.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Probe of RDS for PostgreSQL orders-primary'),
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }],
    });
  });

  test('logs: KMS-encrypted, kept a year, retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/cdk-resilient-postgres/probe/orders-primary',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersProbeLogKey'), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('logical IDs of the retained resources are pinned', () => {
    const ids = Object.keys(template.findResources('AWS::KMS::Key')).concat(Object.keys(template.findResources('AWS::Logs::LogGroup')))
      .filter((id) => /Probe|Alarms/.test(id)).sort();
    expect(ids).toEqual(['OrdersAlarmsTopicKeyC14B51A5', 'OrdersProbeLogGroup9FCA81CE', 'OrdersProbeLogKey79A37C2A']);
  });
});

describe('the DR probe reads the replicated secret by name', () => {
  test('partial ARN with the six-character suffix wildcard, host from the replica', () => {
    const { drStack } = failoverApp();
    const template = record(drStack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'ReadCredentials',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: 'arn:aws:secretsmanager:us-west-2:111111111111:secret:orders-primary/master-??????',
        }]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_HOST: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersReplicaInstance'), 'Endpoint.Address'] }, DB_INSTANCE_IDENTIFIER: 'orders-dr' }) },
    });
  });
});

test('an instance whose identifier is only known at deploy time', () => {
  const { stack, net } = dbStack({ instanceIdentifier: 'orders-primary' });
  const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Imported', {
    instanceIdentifier: Token.asString({ Ref: 'Identifier' }), instanceEndpointAddress: 'x.rds.amazonaws.com', port: 5432, securityGroups: [],
  });
  // An IPostgresInstance always has a literal identifier: the import refuses an instance without one.
  expect(() => PostgresInstanceBase.fromDatabaseInstance(stack, 'Wrapped', instance)).toThrow(
    "PostgresInstanceBase.fromDatabaseInstance: invalid instance 'TestStack/Imported': a DB instance defined in this CDK app");
  void net;
});

test('public subnets', () => {
  const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
  const vpc = new ec2.Vpc(stack, 'Mixed', { natGateways: 0, restrictDefaultSecurityGroup: false });
  const topic = new sns.Topic(stack, 'T', { enforceSSL: true });
  expect(() => new WritableProbe(stack, 'P', {
    instance: db, credentials: db.secret, vpc, topic, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  })).toThrow("WritableProbe: invalid vpcSubnets 'subnetType Public': the database must be placed in private or isolated subnets, never public ones");
});

describe('overrides and rejections', () => {
  function make(overrides: Partial<WritableProbeProps>) {
    const { stack, db, net } = dbStack({ instanceIdentifier: 'orders-primary' });
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    const probe = new WritableProbe(stack, 'Probe', { instance: db, credentials: db.secret, vpc: net.vpc, topic, ...overrides });
    return { stack, probe };
  }

  test('timeout, evaluation periods, database, and HTTPS anywhere when no endpoints are given', () => {
    const { stack } = make({ timeout: Duration.seconds(3), evaluationPeriods: 3, databaseName: 'orders' });
    const template = record(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 13, Environment: { Variables: Match.objectLike({ PROBE_TIMEOUT_MS: '3000', DB_NAME: 'orders' }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-primary-not-writable', EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Probe of'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() }],
    });
  });

  test('reservedConcurrency: 1 reserves one execution', () => {
    const { stack } = make({ reservedConcurrency: 1 });
    record(stack).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 1 });
  });

  test.each([
    ['reserved concurrency of 0', { reservedConcurrency: 0 }, 'WritableProbe: invalid reservedConcurrency 0: a whole number of at least 1, or unset'],
    ['timeout too long', { timeout: Duration.seconds(30) }, "WritableProbe: invalid timeout '30 seconds': from 1 to 20 seconds: the probe runs every minute and its verdict must arrive well within the period"],
    ['timeout too short', { timeout: Duration.millis(500) }, "WritableProbe: invalid timeout '500 millis': from 1 to 20 seconds"],
    ['evaluation periods', { evaluationPeriods: 0 }, 'WritableProbe: invalid evaluationPeriods 0: a whole number of one-minute periods from 1 to 10'],
    ['port', { port: 80 }, "WritableProbe: invalid port 80: the instance's port, from 1150 to 65535 (the RDS for PostgreSQL range)"],
  ] as Array<[string, Partial<WritableProbeProps>, string]>)('%s', (_name, overrides, message) => {
    expect(() => make(overrides)).toThrow(message);
  });
});
