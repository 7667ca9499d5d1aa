import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AzFailoverDrill, AzFailoverDrillProps, DbAlarmSet, MultiAzPostgres, PostgresInstanceBase, WritableProbe } from '../../src';
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
        LogGroupName: '/aws/vendedlogs/fis/cdk-resilient-postgres/az-drill/orders-primary',
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
                'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${PRIMARY_REGION}:${ACCOUNT}:log-group:/aws/vendedlogs/fis/cdk-resilient-postgres/az-drill/orders-primary`,
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
      Properties: { LogGroupName: '/aws/vendedlogs/fis/cdk-resilient-postgres/az-drill/orders-primary', RetentionInDays: 90 },
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
        Action: ['logs:CreateLogDelivery', 'logs:DescribeLogGroups', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy'],
        Resource: '*',
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

/** The valid neighbours of each rejection (test/rejections/table-drill.ts) are accepted. */
describe('accepted at the limits', () => {
  const importAttrs = (arn: string, multiAz?: boolean) => ({
    instanceArn: arn,
    endpointAddress: `billing.abcdefghijkl.${PRIMARY_REGION}.rds.amazonaws.com`,
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
    multiAz,
  });

  test('an imported instance whose Multi-AZ setting is not known (RDS refuses the failover itself if it is Single-AZ)', () => {
    const { stack } = dbStack();
    const instance = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Billing', importAttrs(`arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:billing`));
    expect(() => new AzFailoverDrill(stack, 'Drill', { instance })).not.toThrow();
  });

  test('exactly 5 stop-condition alarms', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
    const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
    const five = Object.values(alarms.alarms).slice(0, 5);
    new AzFailoverDrill(stack, 'Drill', { instance: db, stopConditionAlarms: five });
    const props = Object.values(Template.fromStack(stack).findResources('AWS::FIS::ExperimentTemplate'))[0].Properties;
    expect(props.StopConditions).toHaveLength(5);
  });

  test('an imported alarm of the stack\'s Region, and a probe alarm of another instance', () => {
    const { stack, db, net } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
    const other = new MultiAzPostgres(stack, 'Billing', {
      vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'billing', allocatedStorage: 100,
    });
    const alarms = new DbAlarmSet(stack, 'BillingAlarms', { instance: other, subscriberEmails: ['oncall@example.com'] });
    const otherProbe = new WritableProbe(stack, 'BillingProbe', {
      instance: other,
      credentials: other.secret,
      vpc: net.vpc,
      topic: alarms.topic,
      awsApiEndpoints: [net.secretsManagerEndpoint, net.monitoringEndpoint],
    });
    const imported = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', `arn:aws:cloudwatch:${PRIMARY_REGION}:${ACCOUNT}:alarm:orders-api-errors`);
    new AzFailoverDrill(stack, 'Drill', { instance: db, stopConditionAlarms: [imported, otherProbe.notWritableAlarm] });
    const props = Object.values(Template.fromStack(stack).findResources('AWS::FIS::ExperimentTemplate'))[0].Properties;
    expect(props.StopConditions[0]).toEqual({
      Source: 'aws:cloudwatch:alarm', Value: `arn:aws:cloudwatch:${PRIMARY_REGION}:${ACCOUNT}:alarm:orders-api-errors`,
    });
  });

  test('an alarm on another metric of the probe\'s namespace is not taken for a probe alarm', () => {
    const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
    const promoted = new cloudwatch.Alarm(stack, 'Promoted', {
      metric: new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Promoted', dimensionsMap: { DBInstanceIdentifier: 'orders-primary' } }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    expect(() => new AzFailoverDrill(stack, 'Drill', { instance: db, stopConditionAlarms: [promoted] })).not.toThrow();
  });
});

describe('AzFailoverDrill measurement', () => {
  /** A drill with the CRITICAL alarms; with `withTopic`, the measurement reports on the alarm topic, with its key. */
  function measured(props: Partial<AzFailoverDrillProps> = {}, withTopic = false) {
    const { app, stack, db } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
    const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
    const drill = new AzFailoverDrill(stack, 'Drill', {
      instance: db,
      ...(withTopic ? { topic: alarms.topic, topicKey: alarms.topicKey } : {}),
      ...props,
    });
    const template = record(stack);
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(1);
    const [machineId, machine] = Object.entries(machines)[0];
    const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: 'Measurement of the AZ failover drills of orders-primary' } });
    expect(Object.keys(policies)).toHaveLength(1);
    const statements: any[] = Object.values(policies)[0].Properties.PolicyDocument.Statement;
    return {
      app, stack, alarms, drill, template, machineId, machine,
      definition: JSON.parse(machine.Properties.DefinitionString),
      bySid: Object.fromEntries(statements.map((st) => [st.Sid, st])) as Record<string, any>,
    };
  }

  test('an EventBridge rule starts the measurement when an experiment of this template reaches a final state', () => {
    const { template, machineId } = measured();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.fis'],
        'detail-type': ['FIS Experiment State Change'],
        'detail': {
          'experiment-template-id': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillExperimentTemplate'), 'Id'] }],
          'new-state': { status: ['completed', 'stopped', 'failed', 'cancelled'] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: machineId }, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21600 } })],
    });
  });

  test('without a topic the role reads the experiment and the probe metric and publishes only in its namespace', () => {
    const { bySid, definition, machine } = measured();
    expect(Object.keys(bySid).sort()).toEqual(['DeliverExecutionLogs', 'PublishMeasurement', 'ReadExperiments', 'ReadProbeMetric', 'Trace']);
    expect(bySid.ReadExperiments).toMatchObject({ Action: 'fis:GetExperiment', Resource: `arn:aws:fis:${PRIMARY_REGION}:${ACCOUNT}:experiment/*` });
    expect(bySid.ReadProbeMetric).toMatchObject({ Action: 'cloudwatch:GetMetricData', Resource: '*' });
    expect(bySid.PublishMeasurement).toMatchObject({
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkResilientPostgres/AzDrill' } },
    });
    expect(definition.States.Report.Type).toBe('Pass');
    expect(machine.Properties.DefinitionSubstitutions).toBeUndefined();
  });

  test('with a topic and its key the role publishes the report there, and uses the key through SNS only', () => {
    const { bySid, definition, machine, stack, alarms } = measured({}, true);
    expect(bySid.Report).toMatchObject({ Action: 'sns:Publish', Resource: stack.resolve(alarms.topic.topicArn) });
    expect(bySid.ReportOnEncryptedTopic).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: stack.resolve(alarms.topicKey!.keyArn),
      Condition: { StringEquals: { 'kms:ViaService': `sns.${PRIMARY_REGION}.amazonaws.com` } },
    });
    expect(definition.States.Report).toMatchObject({ Resource: 'arn:aws:states:::sns:publish', Arguments: { TopicArn: '${TopicArn}' } });
    expect(machine.Properties.DefinitionSubstitutions).toEqual({ TopicArn: stack.resolve(alarms.topic.topicArn) });
  });

  test('the measurement logs to its own retained group, encrypted with the drill\'s log key', () => {
    const { template } = measured();
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/vendedlogs/states/cdk-resilient-postgres/orders-primary-az-drill-measurement',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DrillLogKey'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
    });
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('Drill'))).toEqual([expect.stringMatching(/^DrillLogKey/)]);
  });

  test('the objective and the settle time are in the definition', () => {
    const { definition } = measured({ rtoObjective: Duration.minutes(4), settleTime: Duration.minutes(5) });
    expect(definition.States.WaitForWindow.Seconds).toBe(300 + 120);
    expect(definition.States.ReadWritable.Assign.measurement).toContain('$down <= 240');
    expect(definition.States.ReadWritable.Arguments.MetricDataQueries[0].MetricStat).toEqual({
      Metric: { Namespace: 'CdkResilientPostgres', MetricName: 'Writable', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-primary' }] },
      Period: 60,
      Stat: 'Minimum',
    });
    const without = measured();
    expect(without.definition.States.WaitForWindow.Seconds).toBe(600 + 120);
    expect(without.definition.States.ReadWritable.Assign.measurement).toContain("'measured'");
    expect(without.definition.States.ReadWritable.Assign.measurement).not.toContain('$down <=');
  });

  test('metricMeasuredRto and metricObjectiveMet name the published figures', () => {
    const { drill, stack } = measured();
    expect(stack.resolve(drill.metricMeasuredRto().toMetricConfig().metricStat)).toMatchObject({
      namespace: 'CdkResilientPostgres/AzDrill', metricName: 'NotWritableSeconds', statistic: 'Maximum',
      dimensions: [{ name: 'DBInstanceIdentifier', value: 'orders-primary' }],
    });
    expect(drill.metricObjectiveMet().toMetricConfig().metricStat).toMatchObject({ metricName: 'ObjectiveMet', statistic: 'Minimum' });
  });
});
