import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AzFailoverDrill, AzFailoverDrillProps, DbAlarmSet, MultiAzPostgres, PostgresInstanceBase } from '../../src';
import { ACCOUNT, PRIMARY_REGION, dbStack, record } from '../util';

const CRITICAL = ['FreeStorageSpace', 'OldestReplicationSlotLag', 'TransactionLogsDiskUsage', 'MaximumUsedTransactionIDs'];

function drillStack(props: Partial<AzFailoverDrillProps> = {}, withAlarms = false) {
  const { app, stack, db } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
  const alarms = withAlarms ? new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] }) : undefined;
  const drill = new AzFailoverDrill(stack, 'Drill', {
    instance: db,
    stopConditionAlarms: alarms ? CRITICAL.map((m) => alarms.alarms[m]) : undefined,
    ...props,
  });
  return { app, stack, db, drill, alarms, template: record(stack) };
}

const INSTANCE_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:orders-primary`;

describe('AzFailoverDrill', () => {
  test('the experiment template reboots the primary by ARN with a forced failover', () => {
    const { template } = drillStack();
    const templates = template.findResources('AWS::FIS::ExperimentTemplate');
    expect(Object.keys(templates)).toHaveLength(1);
    const props = Object.values(templates)[0].Properties;
    expect(props.Targets).toEqual({
      Primary: { ResourceType: 'aws:rds:db', ResourceArns: [INSTANCE_ARN], SelectionMode: 'ALL' },
    });
    expect(props.Actions).toEqual({
      ForceFailover: {
        ActionId: 'aws:rds:reboot-db-instances',
        Description: 'Reboot orders-primary through a Multi-AZ failover to its standby',
        Parameters: { forceFailover: 'true' },
        Targets: { DBInstances: 'Primary' },
      },
    });
    expect(props.ExperimentOptions).toEqual({ AccountTargeting: 'single-account', EmptyTargetResolutionMode: 'fail' });
    expect(props.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DrillRole/), 'Arn'] });
    expect(props.Tags).toEqual({ Name: 'orders-primary-az-failover-drill' });
  });

  test('without alarms the template has the stop condition none', () => {
    const { template } = drillStack();
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', { StopConditions: [{ Source: 'none' }] });
  });

  test('the alarms given stop the experiment, by ARN', () => {
    const { template, stack, alarms } = drillStack({}, true);
    const props = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))[0].Properties;
    expect(props.StopConditions).toEqual(CRITICAL.map((m) => ({
      Source: 'aws:cloudwatch:alarm',
      Value: stack.resolve(alarms!.alarms[m].alarmArn),
    })));
  });

  test('logs go to the encrypted, retained log group, by its ARN, schema version 2', () => {
    const { template } = drillStack();
    const props = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))[0].Properties;
    expect(props.LogConfiguration).toEqual({
      LogSchemaVersion: 2,
      CloudWatchLogsConfiguration: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^DrillLogGroup/), 'Arn'] } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/cdk-resilient-postgres/az-drill/orders-primary',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillLogKey'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowCloudWatchLogsForAzDrill',
            Principal: { Service: `logs.${PRIMARY_REGION}.amazonaws.com` },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${PRIMARY_REGION}:${ACCOUNT}:log-group:/cdk-resilient-postgres/az-drill/orders-primary`,
              },
            },
          })]),
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the log retention and removal policy can be changed', () => {
    const { template } = drillStack({ logRetention: logs.RetentionDays.THREE_MONTHS, logRemovalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/cdk-resilient-postgres/az-drill/orders-primary', RetentionInDays: 90 },
      DeletionPolicy: 'Delete',
    });
  });

  test('only FIS experiments of this account may assume the role', () => {
    const { template } = drillStack();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'fis.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:fis:${PRIMARY_REGION}:${ACCOUNT}:experiment/*` },
          },
        }],
      },
    });
  });

  test('the role may reboot this instance only, and deliver the experiment log', () => {
    const { template } = drillStack();
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('DrillRole'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Sid: 'RebootWithFailover', Effect: 'Allow', Action: 'rds:RebootDBInstance', Resource: INSTANCE_ARN },
      { Sid: 'ResolveTarget', Effect: 'Allow', Action: 'rds:DescribeDBInstances', Resource: '*' },
      {
        Sid: 'DeliverExperimentLog',
        Effect: 'Allow',
        Action: ['logs:CreateLogDelivery', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'],
        Resource: '*',
      },
      {
        Sid: 'FindLogGroup',
        Effect: 'Allow',
        Action: 'logs:DescribeLogGroups',
        Resource: `arn:aws:logs:${PRIMARY_REGION}:${ACCOUNT}:log-group:*`,
      },
    ]);
    // No inline policy on the role.
    const roles = Object.values(template.findResources('AWS::IAM::Role'))
      .filter((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'fis.amazonaws.com');
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.Policies).toBeUndefined();
    expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the template is created after the role\'s policy', () => {
    const { template } = drillStack();
    const resource = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'))[0];
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^DrillPolicy/)]);
  });

  test('outputs the template ID and the measure command', () => {
    const { template, drill } = drillStack();
    template.hasOutput('*', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillExperimentTemplate'), 'Id'] },
      Description: Match.stringLikeRegexp('aws fis start-experiment --experiment-template-id'),
    });
    template.hasOutput('*', { Value: drill.measureCommand });
    expect(drill.measureCommand).toContain('aws cloudwatch get-metric-data --region us-east-1 --start-time <start> --end-time <end>');
    expect(drill.measureCommand).toContain('"Namespace":"CdkResilientPostgres","MetricName":"Writable","Dimensions":[{"Name":"DBInstanceIdentifier","Value":"orders-primary"}]');
    expect(drill.measureCommand).toContain('"Expression":"IF(FILL(writable, 0) < 1, 1, 0)"');
    expect(drill.measureCommand).toContain("--query 'sum(MetricDataResults[0].Values)'");
  });

  test('metricMinutesNotWritable counts the minutes the probe found no writable primary', () => {
    const { drill, stack } = drillStack();
    const metric = drill.metricMinutesNotWritable();
    expect(metric.expression).toBe('IF(FILL(writable, 0) < 1, 1, 0)');
    expect(metric.period.toSeconds()).toBe(60);
    const writable = metric.usingMetrics.writable as cloudwatch.Metric;
    expect(stack.resolve({
      namespace: writable.namespace,
      name: writable.metricName,
      dims: writable.dimensions,
      stat: writable.statistic,
      period: writable.period.toSeconds(),
    })).toEqual({
      namespace: 'CdkResilientPostgres', name: 'Writable', dims: { DBInstanceIdentifier: 'orders-primary' }, stat: 'Minimum', period: 60,
    });
  });

  test('an imported Multi-AZ primary of this account and Region can be drilled', () => {
    const { stack } = dbStack();
    const imported = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Imported', {
      instanceArn: `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:billing`,
      endpointAddress: `billing.abcdefghijkl.${PRIMARY_REGION}.rds.amazonaws.com`,
      engine: (stack.node.findChild('Db') as MultiAzPostgres).engine,
      multiAz: true,
    });
    new AzFailoverDrill(stack, 'BillingDrill', { instance: imported });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: { Primary: { ResourceArns: [`arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:billing`] } },
    });
  });
});
