import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CrossRegionReadReplica, FailoverRunbook } from '../../src';
import { buildRunbookDefinition, RunbookSettings } from '../../src/failover-runbook/definition';
import { acknowledgements, failoverApp, record, runbookApp, synthWithNag, twoRegionApp } from '../util';

const REPLICA_ARN = 'arn:aws:rds:us-west-2:111111111111:db:orders-dr';
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-west-2:111111111111:alarm:${name}`;

/** Settings of buildRunbookDefinition, for the tests that call it directly. */
const SETTINGS: RunbookSettings = {
  region: 'us-west-2',
  replicaIdentifier: 'orders-dr',
  replicaArn: REPLICA_ARN,
  primaryArn: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary',
  namespace: 'CdkResilientPostgres',
  evidenceAlarmNames: ['orders-dr-replication-stalled'],
  lagLookbackSeconds: 900,
  fenceAlarmName: 'orders-dr-writable',
  fenceTagPrefix: 'cdk-resilient-postgres:',
  minimumEvidence: 2,
  rpoSeconds: 60,
  backupRetentionDays: 35,
  approval: true,
  approvalTimeoutSeconds: 3600,
  pollSeconds: 30,
  maxPolls: 120,
  guardRechecks: 10,
  guardRecheckSeconds: 60,
  fenceReads: 10,
  fenceReadSeconds: 20,
  timeoutSeconds: 10_000,
};

/** The parsed ASL of the one state machine in a template. */
function definitionOf(template: ReturnType<typeof record>): any {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(1);
  return JSON.parse((machines[0] as any).Properties.DefinitionString);
}

/** Every state name a state can go to next. */
function successors(state: any): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Default ? [state.Default] : []),
    ...(state.Choices ?? []).map((c: any) => c.Next),
    ...(state.Catch ?? []).map((c: any) => c.Next),
  ];
}

/** The IAM action a Task resource calls: `arn:aws:states:::aws-sdk:rds:promoteReadReplica` → `rds:PromoteReadReplica`. */
function iamActionOf(resource: string): string {
  const sdk = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z]+)$/.exec(resource);
  if (sdk) {
    return `${sdk[1]}:${sdk[2][0].toUpperCase()}${sdk[2].slice(1)}`;
  }
  if (/^arn:aws:states:::sns:publish(\.waitForTaskToken)?$/.test(resource)) {
    return 'sns:Publish';
  }
  throw new Error(`unexpected resource ${resource}`);
}

describe('defaults', () => {
  const { drStack, runbook } = runbookApp();
  const template = record(drStack);
  const asl = definitionOf(template);
  const states: Record<string, any> = asl.States;

  test('a standard workflow with X-Ray tracing and every event logged, without execution data, in a KMS-encrypted, retained log group', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'orders-dr-failover',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      // Execution data would put the approval's task token (in the request's parameters) into the log group.
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      DefinitionSubstitutions: { TopicArn: { Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/vendedlogs/states/cdk-resilient-postgres/orders-dr-failover',
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookLogKey'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, Description: "Encrypts the failover runbook's execution logs of orders-dr" },
      DeletionPolicy: 'Retain',
    });
  });

  test('the state machine is created after its policies: Step Functions checks log delivery permissions at creation', () => {
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
    const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id]) => id.startsWith('Runbook')).map(([id]) => id);
    expect(policies).toHaveLength(2);
    expect(machine.DependsOn).toEqual(expect.arrayContaining(policies));
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('Runbook'))).toEqual([]);
  });

  test('the replication-stalled alarm: nothing replayed for 3 min (ReplicaLag >= 180 s), -1 or no data', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-dr-replication-stalled',
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(lag < 0, 180, lag)', Label: 'ReplicaLag, -1 as stalled' },
        {
          Id: 'lag',
          ReturnData: false,
          MetricStat: {
            Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }] },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
      Threshold: 180,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') }],
    });
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties.AlarmName)
      .filter((n) => /lag-guard/.test(n))).toEqual([]);
    expect(runbook.approvalRequired).toBe(false);
  });

  test('the RPO guard reads ReplicaLag for the last 15 min with GetMetricData, and needs a bound within the RPO', () => {
    expect(states.ReadLag).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:cloudwatch:getMetricData',
      Arguments: {
        StartTime: '{% $fromMillis($toMillis($now()) - 900000) %}',
        EndTime: '{% $now() %}',
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [{
          Id: 'lag',
          MetricStat: {
            Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }] },
            Period: 60,
            Stat: 'Maximum',
          },
        }],
      },
      Next: 'LagWithinRpo',
    });
  });

  test('no expression refers to $ or $$, which the moto interpreter used by the execution tests rejects', () => {
    const expressions = JSON.stringify(asl).match(/\{%.*?%\}/g)!;
    expect(expressions.length).toBeGreaterThan(40);
    // Regular-expression literals (/…/) are left out: their $ is an anchor, not a reference.
    expect(expressions.filter((e) => /\$(?![A-Za-z_])/.test(e.replace(/\/\^[^/]*\//g, '')))).toEqual([]);
    // Step Functions implements JSONata 2.0.6 without $eval.
    expect(expressions.filter((e) => e.includes('$eval'))).toEqual([]);
  });

  test('no EventBridge rule starts it: an operator does', () => {
    expect(Object.keys(template.findResources('AWS::Events::Rule')).filter((id) => id.startsWith('Runbook'))).toEqual([]);
  });

  test('the timeout and comment are in the definition, where a definition string keeps them', () => {
    // Every wait the run can reach (guard re-checks 5 x 30 s, promotion 3600 s, the retries of a refused promotion
    // 190 s, the fence 180 s) and an hour for the calls.
    expect(asl.TimeoutSeconds).toBe(150 + 190 + 3600 + 180 + 3600);
    expect(asl.Comment).toBe('Promotes orders-dr when the primary is down and the lag is within the RPO (cdk-resilient-postgres FailoverRunbook)');
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as any[];
    expect(machine.Properties.DefinitionString).toContain('"TimeoutSeconds":7720');
  });

  test('SNS subjects are less than 100 characters long, as Publish requires', () => {
    // An identifier of 63 characters, the longest RDS takes.
    const long = (buildRunbookDefinition({ ...SETTINGS, replicaIdentifier: 'a'.repeat(63) }) as any).States;
    const subjects = Object.values<any>(long).filter((st) => st.Resource?.startsWith('arn:aws:states:::sns:publish'))
      .map((st) => st.Arguments.Subject as string);
    expect(subjects.length).toBeGreaterThan(10);
    expect(Math.max(...subjects.map((x) => x.length))).toBe(99);
  });

  test('no workflow variable is named error, which would hide JSONata\'s $error() function', () => {
    const assigned = Object.values(states).flatMap((st: any) => [st.Assign, ...(st.Catch ?? []).map((c: any) => c.Assign)])
      .filter(Boolean).flatMap((a) => Object.keys(a));
    expect(assigned).toContain('failure');
    expect(assigned).not.toContain('error');
    expect(JSON.stringify(states)).not.toMatch(/\$error\b/);
  });

  test('JSONata, starting by describing the replica', () => {
    expect(asl.QueryLanguage).toBe('JSONata');
    expect(asl.StartAt).toBe('Initialize');
    expect(states.Initialize.Next).toBe('DescribeReplica');
    expect(states.DescribeReplica.Next).toBe('ClassifyReplica');
  });

  test('every transition names a state, every state is reachable, and the loops are the bounded waits', () => {
    const names = Object.keys(states);
    for (const [name, state] of Object.entries(states)) {
      for (const next of successors(state)) {
        expect(`${name} -> ${names.includes(next) ? next : `missing ${next}`}`).toBe(`${name} -> ${next}`);
      }
    }
    const reached = new Set<string>();
    const visit = (name: string) => {
      if (!reached.has(name)) {
        reached.add(name);
        successors(states[name]).forEach(visit);
      }
    };
    visit(asl.StartAt);
    expect([...reached].sort()).toEqual([...names].sort());
    // Cycles: a state that can reach itself.
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => successors(states[from])
      .some((n) => n === to || (!seen.has(n) && (seen.add(n), reaches(n, to, seen))));
    // The loops: the guard re-checks, the promotion poll, the fence readings and the wait for available; each bounded.
    expect(names.filter((n) => reaches(n, n)).sort()).toEqual(['AvailableYet', 'DescribeAvailable', 'DescribePromotion', 'EnoughEvidence',
      'FenceInAlarm', 'LagWithinRpo', 'NotifyEvidenceOverridden', 'NotifyRechecking', 'PromotionDone', 'ReadEvidence', 'ReadFence', 'ReadLag',
      'RecheckClassify', 'RecheckLater',
      'RecheckReplica', 'ReplicaReady', 'WaitForAvailable', 'WaitForFence', 'WaitForPromotion', 'WaitToRecheck']);
  });

  test('the poll loop is bounded: 120 polls of 30 s for the one-hour promotion timeout', () => {
    expect(states.WaitForPromotion).toEqual({ Type: 'Wait', Seconds: 30, Next: 'DescribePromotion' });
    expect(states.DescribePromotion.Assign.polls).toBe('{% $polls + 1 %}');
    expect(states.DescribeAvailable.Assign.polls).toBe('{% $polls + 1 %}');
    expect(states.AvailableYet.Choices[1]).toEqual({ Condition: '{% $polls >= 120 %}', Next: 'Report' });
  });

  test('writable as soon as the instance is no longer a replica, even while RDS still shows it modifying or backing-up', () => {
    expect(states.PromotionDone.Choices).toEqual([
      { Condition: '{% $not($exists($replica.ReadReplicaSourceDBInstanceIdentifier)) %}', Next: 'PublishWritable' },
      { Condition: '{% $polls >= 120 %}', Next: 'NotifyPromotionTimedOut' },
    ]);
    // After the signal and the fence, the run waits for available within the same poll budget; a timeout there, or a
    // describe failure, still ends in the report.
    expect(states.NotifyFenced.Next).toBe('AvailableYet');
    expect(states.AvailableYet).toEqual({
      Type: 'Choice',
      Choices: [
        { Condition: "{% $replica.DbInstanceStatus = 'available' and $not($exists($replica.ReadReplicaSourceDBInstanceIdentifier)) %}", Next: 'Report' },
        { Condition: '{% $polls >= 120 %}', Next: 'Report' },
      ],
      Default: 'WaitForAvailable',
    });
    expect(states.DescribeAvailable.Catch).toEqual([expect.objectContaining({ Next: 'Report' })]);
  });

  test('a describe failure after PromoteReadReplica has its own state, which does not say that nothing changed', () => {
    expect(states.DescribePromotion.Catch).toEqual([expect.objectContaining({ Next: 'NotifyCannotDescribePromotion' })]);
    expect(states.CannotDescribePromotion).toEqual({
      Type: 'Fail',
      Error: 'Runbook.CannotDescribePromotion',
      Cause: 'PromoteReadReplica was accepted, then DescribeDBInstances failed: the promotion may be under way or done. Run again to resume.',
    });
    expect(states.DescribeReplica.Catch).toEqual([expect.objectContaining({ Next: 'NotifyCannotDescribe' })]);
  });

  test('a GetMetricData failure is reported as such, not as DescribeAlarms', () => {
    expect(states.ReadLag.Catch).toEqual([expect.objectContaining({ Next: 'NotifyCannotReadLag' })]);
    expect(states.CannotReadLag).toEqual({ Type: 'Fail', Error: 'Runbook.CannotReadLag', Cause: 'GetMetricData on ReplicaLag failed; nothing was changed.' });
    expect(states.ReadEvidence.Catch).toEqual([expect.objectContaining({ Next: 'NotifyCannotReadAlarms' })]);
  });

  test('an operator start refuses at once; only a run the alarm started re-reads its guards, at most 5 times 30 s apart', () => {
    const recheck = "$trigger = 'alarm' and $guardChecks < 5";
    expect(states.EnoughEvidence.Choices[2]).toEqual({ Condition: `{% ${recheck} %}`, Next: 'RecheckLater' });
    expect(states.LagWithinRpo.Choices[2]).toEqual({ Condition: `{% ${recheck} %}`, Next: 'RecheckLater' });
    expect(states.ReplicaReady.Choices[1].Condition).toMatch(new RegExp(`^\\{% ${recheck.replace(/[$()]/g, '\\$&')} and \\(\\$replica.DbInstanceStatus in \\[`));
    expect(states.WaitToRecheck).toEqual({ Type: 'Wait', Seconds: 30, Next: 'RecheckReplica' });
    expect(states.RecheckReplica.Assign.guardChecks).toBe('{% $guardChecks + 1 %}');
    expect(states.RecheckClassify.Choices[0].Next).toBe('NotifyAlreadyPromoted');
    expect(states.Initialize.Assign.trigger).toBe("{% $states.input.trigger = 'alarm' ? 'alarm' : 'operator' %}");
  });

  test('idempotency: an instance that is no longer a replica is never promoted again', () => {
    // The SDK integration's names: the AWS SDK for Java v2 member names (test/contracts/sfn-sdk.test.ts).
    expect(states.DescribeReplica).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
      Arguments: { DbInstanceIdentifier: 'orders-dr' },
      Assign: { replica: '{% $states.result.DbInstances[0] %}' },
    });
    expect(states.ClassifyReplica.Choices[0]).toEqual({
      Condition: '{% $not($exists($replica.ReadReplicaSourceDBInstanceIdentifier)) %}', Next: 'NotifyAlreadyPromoted',
    });
    expect(states.MarkResumed.Next).toBe('PublishWritable');
    expect(successors(states.ClassifyReplica)).not.toContain('Promote');
  });

  test('guards: evidence, then the RPO guard, each refusable and each overridable only by force', () => {
    expect(states.EnoughEvidence.Choices.slice(0, 2)).toEqual([
      { Condition: '{% ($count($evidence) + ($replicationBroken ? 1 : 0)) >= 2 %}', Next: 'ReadLag' },
      { Condition: '{% $force %}', Next: 'NotifyEvidenceOverridden' },
    ]);
    expect(states.EnoughEvidence.Default).toBe('NotifyPrimaryLooksHealthy');
    expect(states.ReadEvidence.Arguments).toEqual({ AlarmNames: ['orders-dr-replication-stalled'] });
    expect(states.LagWithinRpo.Choices.slice(0, 2)).toEqual([
      { Condition: "{% $type($lag.boundSeconds) = 'number' and $lag.boundSeconds <= 60 %}", Next: 'Promote' },
      { Condition: '{% $force %}', Next: 'NotifyLagOverridden' },
    ]);
    expect(states.LagWithinRpo.Default).toBe('NotifyLagAboveRpo');
    expect(states.Initialize.Assign.force).toBe('{% $states.input.force = true %}');
    for (const [name, error] of [['PrimaryLooksHealthy', 'Runbook.PrimaryLooksHealthy'], ['LagAboveRpo', 'Runbook.LagAboveRpo'],
      ['PromotionFailed', 'Runbook.PromotionFailed'], ['PromotionTimedOut', 'Runbook.PromotionTimedOut'],
      ['ReplicaBusy', 'Runbook.ReplicaNotAvailable'], ['CannotDescribe', 'Runbook.CannotDescribeReplica'], ['CannotReadAlarms', 'Runbook.CannotReadSignals'],
      ['CannotReadLag', 'Runbook.CannotReadLag'], ['CannotDescribePromotion', 'Runbook.CannotDescribePromotion']]) {
      expect(states[name]).toMatchObject({ Type: 'Fail', Error: error });
    }
  });

  test('PromoteReadReplica: the primary\'s backup retention, retries for throttling and for a transient refusal, a refusal checked against the instance', () => {
    // Step Functions names SDK fields and errors after the AWS SDK for Java v2: throttling arrives as the base exception,
    // RDS's InvalidDBInstanceState (a replica in the backing-up status, for one) as InvalidDbInstanceStateException.
    expect(states.Promote).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:promoteReadReplica',
      Arguments: { DbInstanceIdentifier: 'orders-dr', BackupRetentionPeriod: 35 },
      Retry: [
        { ErrorEquals: ['Rds.RdsException'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
        { ErrorEquals: ['Rds.InvalidDbInstanceStateException'], IntervalSeconds: 10, MaxAttempts: 5, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'DescribeAfterRefusal' }],
      Next: 'NotifyPromoting',
    });
    // Another run, or an operator, may have promoted it meanwhile: then this run resumes.
    expect(states.PromotedElsewhere).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $not($exists($replica.ReadReplicaSourceDBInstanceIdentifier)) %}', Next: 'NotifyAlreadyPromoted' }],
      Default: 'NotifyPromotionFailed',
    });
  });

  test('every task retries and catches; notifications never stop the run', () => {
    for (const [name, state] of Object.entries(states).filter(([, s]) => s.Type === 'Task')) {
      expect(`${name}: ${state.Retry?.length ?? 0} retriers, ${state.Catch?.length ?? 0} catchers`).toMatch(/: [12] retriers, [123] catchers$/);
      if (name.startsWith('Notify')) {
        expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: state.Next })]);
      }
    }
  });

  test('the writable signal is the probe\'s metric: CdkResilientPostgres Writable and Reachable = 1, 60 s resolution, and the fence latch', () => {
    expect(states.PublishWritable.Arguments).toEqual({
      Namespace: 'CdkResilientPostgres',
      MetricData: [
        { MetricName: 'Writable', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }], Value: 1, Unit: 'Count', StorageResolution: 60 },
        { MetricName: 'Reachable', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }], Value: 1, Unit: 'Count', StorageResolution: 60 },
        // Route53DbFailover's latch metric: the fence closes with the runbook's signal, not a probe minute later.
        { MetricName: 'Promoted', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }], Value: 1, Unit: 'Count', StorageResolution: 60 },
      ],
    });
  });

  test('the runbook refuses failover records whose fence latches on another instance', () => {
    const parts = runbookApp();
    const { primary, drNet, drAlarms, failover } = parts;
    const other = new CrossRegionReadReplica(parts.drStack, 'OtherReplica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-other' });
    expect(() => new FailoverRunbook(parts.drStack, 'OtherRunbook', { replica: other, topic: drAlarms.topic, failover }))
      .toThrow(/^\[Dr\/OtherRunbook\] FailoverRunbook: invalid failover '.*Failover': a Route53DbFailover whose secondary is this replica, orders-other: its fence latches on orders-dr$/);
  });

  test('the fence: tags on the promoted instance, and the fence alarm read; nothing calls another Region or Route 53', () => {
    expect(states.RecordFence.Arguments).toEqual({
      ResourceName: REPLICA_ARN,
      Tags: [
        { Key: 'cdk-resilient-postgres:promoted-from', Value: 'arn:aws:rds:us-east-1:111111111111:db:orders-primary' },
        { Key: 'cdk-resilient-postgres:failback', Value: 'explicit-only' },
      ],
    });
    // With the latched fence, the latch alarm is what the report reads.
    expect(states.ReadFence.Arguments).toEqual({ AlarmNames: ['orders-dr-promoted'] });
    // The fence alarm is evaluated a minute or two after the signal: read every 20 s, 1 + 9 times (fenceWait 3 min).
    expect(states.FenceInAlarm.Choices).toEqual([
      { Condition: "{% $fenceState = 'ALARM' %}", Next: 'NotifyFenced' },
      { Condition: "{% $fenceState = 'MISSING' or $fenceReadings >= 10 %}", Next: 'NotifyFenced' },
    ]);
    expect(states.WaitForFence).toEqual({ Type: 'Wait', Seconds: 20, Next: 'ReadFence' });
    expect(states.NotifyFenced.Arguments.Message).toContain("'status': $fenceState = 'ALARM' ? 'fenced' : ");
    const resources = Object.values(states).filter((s) => s.Type === 'Task').map((s) => s.Resource as string);
    // Service-integration ARNs carry no Region: the call goes to the state machine's own Region.
    expect(resources.every((r) => r.startsWith('arn:aws:states:::'))).toBe(true);
    expect(resources.filter((r) => /route53/i.test(r))).toEqual([]);
  });

  test('the IAM it implies: every call is allowed by the promotion role\'s policy, on the resources it names', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter((p: any) => p.Properties.Description?.startsWith('Promotion of the DR read replica'));
    expect(policies).toHaveLength(1);
    const statements: any[] = (policies[0] as any).Properties.PolicyDocument.Statement;
    const allowed = (action: string) => statements.some((s) => [s.Action].flat().includes(action));
    const actions = [...new Set(Object.values(states).filter((s) => s.Type === 'Task').map((s) => iamActionOf(s.Resource)))].sort();
    expect(actions).toEqual(['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData', 'cloudwatch:PutMetricData', 'rds:AddTagsToResource',
      'rds:DescribeDBInstances', 'rds:PromoteReadReplica', 'sns:Publish']);
    for (const action of actions) {
      expect(`${action} allowed: ${allowed(action)}`).toBe(`${action} allowed: true`);
    }
    expect(statements).toEqual(expect.arrayContaining([
      {
        Sid: 'ReadEvidenceAlarms',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: ['orders-dr-promoted', 'orders-dr-replication-stalled'].map(alarmArn),
      },
      {
        Sid: 'RecordTheFence',
        Effect: 'Allow',
        Action: 'rds:AddTagsToResource',
        Resource: REPLICA_ARN,
        Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['cdk-resilient-postgres:*'] } },
      },
    ]));
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookPromotionRole'), 'Arn'] },
    });
  });

  test('the RTO budget: the stalled alarm pages, the operator starts the runbook, promotion 600 s assumed, DNS 120 s', () => {
    expect(runbook.rtoTerms.map((t) => [t.name, t.seconds, t.setBy])).toEqual([
      ['detection: replication stalled', 240, 'FailoverRunbook stallAfter'],
      ['detection: operator starts the runbook', 900, 'FailoverRunbook operatorResponseTime (or automaticPromotion)'],
      ['promotion', 600, 'FailoverRunbook expectedPromotionTime'],
    ]);
    expect(runbook.rtoBudget).toMatchObject({ scenario: 'Region failure', measure: 'RTO', targetSeconds: undefined, budgetSeconds: 1860 });
    // The runbook's own terms, then the failover records' DNS terms, as they are.
    expect(runbook.rtoBudget.terms).toEqual([...runbook.rtoTerms, ...runbook.failover!.dnsTerms]);
    expect(runbook.rtoBudget.formula).toBe('detection: replication stalled 240 s + detection: operator starts the runbook 900 s (assumed) '
      + '+ promotion 600 s (assumed) + DNS: latch alarm 60 s + DNS: health-check lag 30 s (assumed) + DNS: TTL 30 s');
  });

  test('the detection term names the limit that keeps it at stallAfter + 60 s: ReplicaLag comes once a minute', () => {
    const detection = runbook.rtoTerms[0];
    expect(detection.basis).toContain('RDS publishes ReplicaLag once a minute');
    expect(detection.source).toBe('https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html');
  });

  test('the RPO budget: the replica-lag guard maxLagAtPromotion, 60 s by default', () => {
    expect(runbook.maxLagAtPromotion.toSeconds()).toBe(60);
    expect(runbook.rpoTerms.map((t) => [t.name, t.seconds, t.setBy])).toEqual([['replica-lag guard', 60, 'FailoverRunbook maxLagAtPromotion']]);
    expect(runbook.rpoBudget).toMatchObject({ scenario: 'Region failure', measure: 'RPO', budgetSeconds: 60 });
  });
});

describe('automatic promotion', () => {
  const { drStack, runbook } = runbookApp({ automaticPromotion: true });
  const template = record(drStack);
  const asl = definitionOf(template);

  test('the replication-stalled alarm starts it, with the event time as the detection time', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookReplicationStalledAlarm'), 'Arn'] }],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^RunbookStateMachine') },
        InputTransformer: {
          InputPathsMap: { time: '$.time' },
          InputTemplate: '{"trigger":"alarm","reason":"orders-dr-replication-stalled went to ALARM","detectedAt":<time>}',
        },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookStartDeadLetterQueue'), 'Arn'] } },
      })],
    });
  });

  test('a start that fails after its retries lands in an encrypted, TLS-only dead-letter queue with an alarm', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookStartDeadLetterKey'), 'Arn'] },
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^RunbookStartOnStalledReplication'), 'Arn'] } } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'AllowEventBridgeToSendToTheDeadLetterQueue',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        }]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-dr-failover-start-failed',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') }],
    });
    expect(runbook.startDeadLetterQueue).toBeDefined();
    expect(runbook.startFailedAlarm?.alarmName).toBeDefined();
  });

  test('an approval is required by default, through a task token with a one-hour timeout', () => {
    expect(runbook.approvalRequired).toBe(true);
    expect(asl.States.LagWithinRpo.Choices[0].Next).toBe('RequestApproval');
    expect(asl.States.RequestApproval).toMatchObject({
      Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
      TimeoutSeconds: 3600,
      // A rejection is never retried; any other failure (the publish) is, twice, and is reported as such.
      Retry: [
        { ErrorEquals: ['Rejected'], MaxAttempts: 0 },
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 20, JitterStrategy: 'FULL' },
      ],
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: 'NotifyNotApproved' },
        { ErrorEquals: ['Rejected'], Next: 'NotifyRejected' },
        { ErrorEquals: ['States.ALL'], Next: 'NotifyApprovalNotSent' },
      ],
      // The replica is described again after the approval, which may have taken hours.
      Next: 'DescribeBeforePromote',
    });
    expect(asl.States.ApprovalNotSent).toMatchObject({ Type: 'Fail', Error: 'Runbook.ApprovalNotSent' });
    // Each request sent may wait the hour: the run's timeout counts all three, so the run ends in a state of its own.
    // Guard re-checks 5 x 30 s before and after the approval, three approval waits, the refused-promotion retries
    // 190 s, the promotion 3600 s, the fence 180 s, and an hour for the calls.
    expect(asl.TimeoutSeconds).toBe(2 * 150 + 3 * 3600 + 190 + 3600 + 180 + 3600);
    expect(asl.States.ReadyToPromote.Choices.map((c: any) => c.Next)).toEqual(['NotifyAlreadyPromoted', 'Promote', 'WaitBeforePromote']);
    expect(asl.States.ReadyToPromote.Default).toBe('NotifyReplicaBusy');
    const message = asl.States.RequestApproval.Arguments.Message;
    expect(message).toContain('$states.context.Task.Token');
    // The commands carry the Region and the request's own task token; the JSON is one shell word.
    expect(message).toContain('\'approve\': "aws stepfunctions send-task-success --region us-west-2 --task-token \'" & $states.context.Task.Token & "\' '
      + '--task-output \'{\\"approvedBy\\":\\"<your name>\\"}\'"');
    expect(message).toContain('\'reject\': "aws stepfunctions send-task-failure --region us-west-2 --task-token \'" & $states.context.Task.Token & "\' '
      + '--error Rejected --cause \'<why>\'"');
  });

  test('the RTO budget counts detection, the guard re-checks and the approval timeout, and no operator', () => {
    expect(runbook.rtoTerms.map((t) => [t.name, t.seconds])).toEqual([
      ['detection: replication stalled', 240], ['decision: guard re-checks', 150], ['decision: approval', 3600], ['promotion', 600],
    ]);
    expect(runbook.rtoBudget.budgetSeconds).toBe(240 + 150 + 3600 + 600 + 120);
    expect(runbook.rtoBudget.formula).toMatch(
      /^detection: replication stalled 240 s \+ decision: guard re-checks 150 s \+ decision: approval 3600 s \+ promotion 600 s \(assumed\) \+ DNS: /);
  });

  test('fully unattended only when approval is turned off explicitly', () => {
    const unattended = runbookApp({ automaticPromotion: true, approval: false });
    expect(unattended.runbook.approvalRequired).toBe(false);
    expect(definitionOf(record(unattended.drStack)).States.RequestApproval).toBeUndefined();
  });

  /** Detection and DNS of a budget: every term but the decision and the promotion. */
  const detectionAndDns = (budget: { terms: Array<{ name: string; seconds: number }> }) => budget.terms
    .filter((t) => t.name.startsWith('detection:') || t.name.startsWith('DNS:')).reduce((sum, t) => sum + t.seconds, 0);

  test('unattended by default: detection 240 s + DNS 120 s = 360 s, promotion + 510 s in all', () => {
    const { runbook: unattended } = runbookApp({ automaticPromotion: true, approval: false });
    expect(unattended.rtoBudget.terms.map((t) => [t.name, t.seconds])).toEqual([
      ['detection: replication stalled', 240], ['decision: guard re-checks', 150], ['promotion', 600],
      ['DNS: latch alarm', 60], ['DNS: health-check lag', 30], ['DNS: TTL', 30],
    ]);
    expect(detectionAndDns(unattended.rtoBudget)).toBe(360);
    expect(unattended.rtoBudget.budgetSeconds).toBe(600 + 510);
  });

  test('detection + DNS cannot reach 180 s: three 60 s periods (stallAfter, the stalled alarm, the latch alarm) are the floor', () => {
    const parts = failoverApp({ healthCheckLag: Duration.seconds(0), ttl: Duration.seconds(1) });
    const fastest = new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica,
      topic: parts.drAlarms.topic,
      failover: parts.failover,
      automaticPromotion: true,
      approval: false,
      stallAfter: Duration.minutes(1),
      backupRetention: Duration.days(7),
    });
    expect(fastest.rtoBudget.terms.filter((t) => t.name.startsWith('detection:') || t.name.startsWith('DNS:')).map((t) => [t.name, t.seconds]))
      .toEqual([['detection: replication stalled', 120], ['DNS: latch alarm', 60], ['DNS: health-check lag', 0], ['DNS: TTL', 1]]);
    expect(detectionAndDns(fastest.rtoBudget)).toBe(181);
  });
});

describe('settings', () => {
  test('evidence alarms join the evidence read, and the minimum can rise to every signal', () => {
    const parts = failoverApp();
    const canary = new cloudwatch.Alarm(parts.drStack, 'Canary', {
      alarmName: 'orders-primary-canary',
      threshold: 1,
      evaluationPeriods: 1,
      metric: new cloudwatch.Metric({ namespace: 'OrdersApp', metricName: 'PrimaryOk' }),
    });
    new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica,
      topic: parts.drAlarms.topic,
      evidenceAlarms: [canary],
      minimumEvidence: 3,
      maxLagAtPromotion: Duration.seconds(90),
      lagLookback: Duration.minutes(5),
      stallAfter: Duration.minutes(2),
      pollInterval: Duration.seconds(15),
      promotionTimeout: Duration.minutes(30),
      backupRetention: Duration.days(7),
    });
    const template = record(parts.drStack);
    const states = definitionOf(template).States;
    expect(states.ReadEvidence.Arguments.AlarmNames).toEqual(['orders-dr-replication-stalled', 'orders-primary-canary']);
    expect(states.EnoughEvidence.Choices[0].Condition).toBe('{% ($count($evidence) + ($replicationBroken ? 1 : 0)) >= 3 %}');
    expect(states.PromotionDone.Choices[1].Condition).toBe('{% $polls >= 120 %}');
    expect(states.WaitForPromotion.Seconds).toBe(15);
    expect(states.Promote.Arguments.BackupRetentionPeriod).toBe(7);
    // No failover records: no fence alarm to read, straight from the tags to the announcement.
    expect(states.ReadFence).toBeUndefined();
    expect(states.RecordFence.Next).toBe('NotifyFenced');
    expect(states.ReadLag.Arguments.StartTime).toBe('{% $fromMillis($toMillis($now()) - 300000) %}');
    expect(states.LagWithinRpo.Choices[0].Condition).toBe("{% $type($lag.boundSeconds) = 'number' and $lag.boundSeconds <= 90 %}");
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-dr-replication-stalled', Threshold: 120 });
  });

  test('the replication-stalled alarm\'s description states stallAfter: 3 min by default, 2 min when overridden', () => {
    const describe = (props: Parameters<typeof runbookApp>[0]) => (Object.values(record(runbookApp(props).drStack).findResources('AWS::CloudWatch::Alarm'))
      .map((r: any) => r.Properties).find((p: any) => p.AlarmName === 'orders-dr-replication-stalled') as any).AlarmDescription;
    expect(describe({})).toMatch(/has replayed nothing for 3 min \(ReplicaLag ≥ 180 s,/);
    const changed = describe({ stallAfter: Duration.minutes(2) });
    expect(changed).toMatch(/has replayed nothing for 2 min \(ReplicaLag ≥ 120 s,/);
    expect(changed).not.toMatch(/180|3 min/);
  });
});

describe('budget terms', () => {
  test('operatorResponseTime is the operator\'s term of a runbook started by hand; maxLagAtPromotion the guard\'s', () => {
    const { runbook } = runbookApp({ operatorResponseTime: Duration.minutes(5), maxLagAtPromotion: Duration.minutes(5) });
    expect(runbook.rtoTerms.find((t) => t.name === 'detection: operator starts the runbook')).toMatchObject({ seconds: 300, assumed: true });
    expect(runbook.rpoBudget.budgetSeconds).toBe(300);
    expect(runbook.maxLagAtPromotion.toSeconds()).toBe(300);
  });

  test('an automatic start counts no operator, whatever operatorResponseTime says', () => {
    const { runbook } = runbookApp({ automaticPromotion: true, operatorResponseTime: Duration.minutes(5) });
    expect(runbook.rtoTerms.map((t) => t.name)).not.toContain('detection: operator starts the runbook');
  });

  test('without failover records the RTO budget has no DNS term', () => {
    const parts = failoverApp();
    const runbook = new FailoverRunbook(parts.drStack, 'Runbook', { replica: parts.replica, topic: parts.drAlarms.topic });
    expect(runbook.rtoBudget.terms).toEqual(runbook.rtoTerms);
    expect(runbook.rtoBudget.budgetSeconds).toBe(240 + 900 + 600);
  });
});

describe('compliance', () => {
  test('the four cdk-nag packs pass, with the logging and tracing grants acknowledged', () => {
    const { app } = runbookApp({ automaticPromotion: true });
    expect(synthWithNag(app).findings).toEqual([]);
    const acks = acknowledgements(app).filter((a) => a.path.startsWith('Dr/Runbook'));
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Dr/Runbook/LoggingAndTracingPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Dr/Runbook/PromotionRole/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Dr/Runbook/StartDeadLetterQueue AwsSolutions::AwsSolutions-SQS3',
    ]);
    expect(acks.find((a) => a.path.endsWith('LoggingAndTracingPolicy'))!.reason).toMatch(/none of them has a resource type/);
    // Customer-managed policies only: no inline policy on any role of the runbook.
    const template = Template.fromStack(app.node.findChild('Dr') as Stack);
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('Runbook'))).toEqual([]);
  });
});

describe('rejections', () => {
  const reject = (props: object, message: string) => {
    const parts = failoverApp();
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook', { replica: parts.replica, topic: parts.drAlarms.topic, ...props }))
      .toThrow(message);
  };

  test('a runbook outside the replica\'s Region', () => {
    const parts = failoverApp();
    expect(() => new FailoverRunbook(parts.primaryStack, 'Runbook', { replica: parts.replica, topic: parts.primaryAlarms.topic }))
      .toThrow("FailoverRunbook: invalid replica 'Dr/OrdersReplica': a replica in this stack's Region (us-east-1): the runbook runs where the replica is, never in the failed Region");
  });

  test('a replica already declared promoted', () => {
    const parts = failoverApp();
    const promoted = new CrossRegionReadReplica(parts.drStack, 'Promoted', {
      sourceInstance: parts.primary, vpc: parts.drNet.vpc, instanceIdentifier: 'orders-dr-2', promoted: true,
    });
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook', { replica: promoted, topic: parts.drAlarms.topic }))
      .toThrow("FailoverRunbook: invalid replica 'Dr/Promoted': a replica that is not yet declared promoted");
  });

  test.each([
    [{ maxLagAtPromotion: Duration.millis(60_500) }, "invalid maxLagAtPromotion '1 minute 500 millis': a whole number of seconds from 60 to 86400"],
    [{ maxLagAtPromotion: Duration.seconds(59) }, "invalid maxLagAtPromotion '59 seconds': at least 60 seconds: replication to the other Region is asynchronous"],
    [{ operatorResponseTime: Duration.millis(1500) }, "invalid operatorResponseTime '1 second 500 millis': a whole number of seconds from 0 to 86400"],
    [{ operatorResponseTime: Duration.hours(25) }, "invalid operatorResponseTime '1 day 1 hour': a whole number of seconds from 0 to 86400"],
    [{ lagLookback: Duration.seconds(90) }, "invalid lagLookback '1 minute 30 seconds': a whole number of minutes from 1 to 60"],
    [{ lagLookback: Duration.hours(2) }, "invalid lagLookback '2 hours': a whole number of minutes from 1 to 60"],
    [{ stallAfter: Duration.minutes(31) }, "invalid stallAfter '31 minutes': a whole number of minutes from 1 to 30"],
    [{ approvalTimeout: Duration.seconds(30) }, "invalid approvalTimeout '30 seconds': a whole number of seconds from 60 to 86400"],
    [{ pollInterval: Duration.seconds(5) }, "invalid pollInterval '5 seconds': a whole number of seconds from 10 to 300"],
    [{ promotionTimeout: Duration.minutes(1) }, "invalid promotionTimeout '1 minute': a whole number of seconds from 300 to 21600"],
    [{ expectedPromotionTime: Duration.hours(2) }, "invalid expectedPromotionTime '2 hours': a whole number of seconds from 1 to 3600 (at most promotionTimeout)"],
    [{ backupRetention: Duration.days(36) }, "invalid backupRetention '36 days': a whole number of days from 1 to 35 (the RDS limit)"],
    [{ minimumEvidence: 3 }, 'invalid minimumEvidence 3: a whole number from 1 to 2, the number of signals (replication stalled, replication status, and 0 evidence alarm(s))'],
    [{ minimumEvidence: 0 }, 'invalid minimumEvidence 0:'],
  ])('%o', (props, message) => reject(props, `FailoverRunbook: ${message}`));

  test('an evidence alarm in another Region, or without a literal name', () => {
    const parts = failoverApp();
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook', {
      replica: parts.replica, topic: parts.drAlarms.topic, evidenceAlarms: [parts.primaryProbe.notWritableAlarm],
    })).toThrow("FailoverRunbook: invalid evidenceAlarms[0] 'orders-primary-not-writable': an alarm in this Region (us-west-2): the runbook reads alarms here only");
    const unnamed = new cloudwatch.Alarm(parts.drStack, 'Unnamed', {
      threshold: 1, evaluationPeriods: 1, metric: new cloudwatch.Metric({ namespace: 'OrdersApp', metricName: 'PrimaryOk' }),
    });
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook2', { replica: parts.replica, topic: parts.drAlarms.topic, evidenceAlarms: [unnamed] }))
      .toThrow("FailoverRunbook: invalid evidenceAlarms[0] 'Dr/Unnamed': an alarm of this app with a literal alarmName");
  });

  test('PromoteReadReplica keeps the retention of a primary with 14-day backups (the default case, 35, is above)', () => {
    const { drStack, primary, drNet } = twoRegionApp({ backupRetention: Duration.days(14) });
    const replica = new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr' });
    expect(replica.sourceBackupRetention?.toDays()).toBe(14);
    new FailoverRunbook(drStack, 'Runbook', { replica, topic: new sns.Topic(drStack, 'Topic') });
    expect(definitionOf(record(drStack)).States.Promote.Arguments.BackupRetentionPeriod).toBe(14);
  });

  test('a source whose retention is unknown needs backupRetention', () => {
    const parts = failoverApp();
    const fromArn = new CrossRegionReadReplica(parts.drStack, 'FromArn', {
      sourceAttributes: {
        instanceArn: 'arn:aws:rds:us-east-1:111111111111:db:orders-legacy',
        engine: parts.replica.engine,
        instanceType: new ec2.InstanceType('m7g.large'),
      },
      vpc: parts.drNet.vpc,
      instanceIdentifier: 'orders-legacy-dr',
    });
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook', { replica: fromArn, topic: parts.drAlarms.topic }))
      .toThrow('FailoverRunbook: invalid backupRetention (unset): a retention of 1 to 35 days');
    expect(() => new FailoverRunbook(parts.drStack, 'Runbook2', { replica: fromArn, topic: parts.drAlarms.topic, backupRetention: Duration.days(7) }))
      .not.toThrow();
  });
});
