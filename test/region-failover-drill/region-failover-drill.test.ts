import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { drillApp, drillDefinition } from './fixture';
import { RegionFailoverDrill } from '../../src';
import { buildRunbookDefinition } from '../../src/failover-runbook/definition';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, failoverApp, record } from '../util';

const COPY_ARN = `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr-drill`;
const REPLICA_ARN = `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr`;
const PRIMARY_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:orders-primary`;

/** Every statement of the drill's managed policies, resolved, with the ARNs joined to strings. */
function drillStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  return Object.entries(policies).filter(([id]) => id.startsWith('Drill'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
    .map((s: any) => ({ ...s, Resource: [s.Resource].flat().map((r: any) => (typeof r === 'string' ? r : JSON.stringify(r))) }));
}

/**
 * The mutating RDS actions of the statements that name the replica, the primary or any resource. CreateDBInstanceReadReplica
 * is authorized on its source too (resource type `db`), and creates without changing it.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
 */
function mutatingOnProduction(statements: any[]): string[] {
  const mutating = /^rds:(Promote|Modify|Reboot|Delete|Stop|Start|Failover|Restore|AddTags|RemoveTags|Create|Switchover|\*)/;
  const production = statements.filter((s) => s.Resource.some((r: string) => r === REPLICA_ARN || r.includes('orders-primary') || r === '*'
    || (r.includes(':db:orders-dr') && !r.includes('orders-dr-drill'))));
  return production.flatMap((s) => [s.Action].flat() as string[]).filter((a) => mutating.test(a) && a !== 'rds:CreateDBInstanceReadReplica');
}

describe('the workflow', () => {
  test('creates the copy of the replica: private, Single-AZ, no deletion protection, tagged, in the replica\'s subnet group, with its own security group', () => {
    const { definition, substitutions } = drillDefinition();
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
    expect(definition.States.CreateCopy.Resource).toBe('arn:aws:states:::aws-sdk:rds:createDBInstanceReadReplica');
    expect(definition.States.CreateCopy.Arguments).toEqual({
      DbInstanceIdentifier: 'orders-dr-drill',
      SourceDBInstanceIdentifier: 'orders-dr',
      DbInstanceClass: 'db.m7g.large',
      DbSubnetGroupName: '${SubnetGroupName}',
      VpcSecurityGroupIds: ['${SecurityGroupId}'],
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
      CopyTagsToSnapshot: false,
      Tags: [{ Key: 'cdk-resilient-postgres:drill-copy', Value: 'true' }, { Key: 'Name', Value: 'orders-dr-drill' }],
    });
    expect(substitutions).toEqual({
      TopicArn: { Ref: expect.stringMatching(/^ReplicaAlarmsTopic/) },
      SubnetGroupName: { Ref: expect.stringMatching(/^OrdersReplicaInstanceSubnetGroup/) },
      SecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^DrillCopySecurityGroup/), 'GroupId'] },
    });
  });

  test('promotes with the runbook\'s own states, byte for byte, on the copy', () => {
    const { definition } = drillDefinition();
    const runbook: any = buildRunbookDefinition({
      region: DR_REGION,
      replicaIdentifier: 'orders-dr-drill',
      replicaArn: COPY_ARN,
      primaryArn: PRIMARY_ARN,
      namespace: 'N',
      evidenceAlarmNames: ['a'],
      lagLookbackSeconds: 600,
      fenceTagPrefix: 'x:',
      minimumEvidence: 1,
      rpoSeconds: 60,
      backupRetentionDays: 35,
      approval: false,
      approvalTimeoutSeconds: 60,
      pollSeconds: 30,
      maxPolls: 180,
      guardRechecks: 0,
      guardRecheckSeconds: 10,
      fenceReads: 1,
      fenceReadSeconds: 20,
      timeoutSeconds: 100,
    });
    for (const name of ['Promote', 'DescribeAfterRefusal', 'WaitForPromotion']) {
      const { Next: _drillNext, Catch: _drillCatch, ...drillState } = definition.States[name];
      const { Next: _runbookNext, Catch: _runbookCatch, ...runbookState } = runbook.States[name];
      expect(drillState).toEqual(runbookState);
    }
    expect(definition.States.Promote.Arguments).toEqual({ DbInstanceIdentifier: 'orders-dr-drill', BackupRetentionPeriod: 35 });
    expect(definition.States.Promote.Retry).toEqual(runbook.States.Promote.Retry);
    expect(definition.States.DescribePromotion.Arguments).toEqual({ DbInstanceIdentifier: 'orders-dr-drill' });
    const conditions = (state: any) => state.Choices.map((c: any) => c.Condition);
    expect(conditions(definition.States.PromotionDone)).toEqual(conditions(runbook.States.PromotionDone));
  });

  test('no RDS call names the replica but CreateDBInstanceReadReplica as its source; none names the primary', () => {
    const { definition } = drillDefinition();
    for (const [name, state] of Object.entries<any>(definition.States)) {
      const text = JSON.stringify(state.Arguments ?? {});
      expect(text).not.toContain('orders-primary');
      if (name !== 'CreateCopy' && String(state.Resource).includes(':rds:')) {
        expect(text.replace(/orders-dr-drill/g, '')).not.toContain('orders-dr');
      }
    }
  });

  test('every failure after the copy was requested goes through DeleteCopy', () => {
    const { definition } = drillDefinition();
    const states = definition.States;
    // CopyLeft, the failure of the deletion itself, goes on to the report.
    const failures = Object.entries<any>(states).filter(([n, s]) => s.Type === 'Pass' && s.Assign?.outcome === 'failed' && n !== 'CopyLeft');
    expect(failures.map(([n]) => n).sort()).toEqual(['CannotDescribeCopy', 'CannotDescribePromotion', 'CannotDescribeWritable', 'CopyFailed',
      'CopyNotCreated', 'CopyTimedOut', 'NotWritable', 'PromotionRefused', 'PromotionTimedOut']);
    for (const [, state] of failures) {
      expect(state.Next).toBe('DeleteCopy');
    }
    expect(states.CopyLeft.Next).toBe('AfterDeletion');
    expect(states.DeleteCopy.Arguments).toEqual({ DbInstanceIdentifier: 'orders-dr-drill', SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
    expect(states.Initialize.Next).toBe('DeleteCopy');
  });

  test('timeout and poll interval set the definition\'s timeout and the polls of each phase', () => {
    const { definition } = drillDefinition({ timeout: Duration.hours(2), pollInterval: Duration.seconds(60) });
    expect(definition.TimeoutSeconds).toBe(7200);
    expect(definition.States.WaitForCopy.Seconds).toBe(60);
    expect(JSON.stringify(definition.States.CopyReady)).toContain('$polls >= 30');
  });

  test('instanceClass sets the copy\'s class', () => {
    expect(drillDefinition({ instanceClass: 'db.t4g.medium' }).definition.States.CreateCopy.Arguments.DbInstanceClass).toBe('db.t4g.medium');
  });
});

describe('the template', () => {
  test('the cleanup rule starts the drill on its own ABORTED, TIMED_OUT and FAILED executions, with the event as input', () => {
    const { drStack } = drillApp();
    const template = record(drStack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('^DrillStateMachine') }] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^DrillStateMachine') }, Input: Match.absent(), InputTransformer: Match.absent() })],
    });
  });

  test('no schedule by default; a schedule starts the drill with trigger schedule', () => {
    const rules = (props = {}) => Object.values(Template.fromStack(drillApp(props).drStack).findResources('AWS::Events::Rule'))
      .filter((r: any) => r.Properties.ScheduleExpression !== undefined && JSON.stringify(r.Properties.Targets).includes('DrillStateMachine'));
    expect(rules()).toHaveLength(0);
    const [rule] = rules({ schedule: events.Schedule.cron({ day: '1', hour: '3', minute: '0' }) }) as any[];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 3 1 * ? *)');
    expect(rule.Properties.Targets[0].Input).toBe('{"trigger":"schedule"}');
  });

  test('the copy\'s security group has no ingress and no egress', () => {
    const template = Template.fromStack(drillApp().drStack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Temporary Region drill copy orders-dr-drill'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('no permission can modify, promote, reboot or delete the replica or the primary', () => {
    const statements = drillStatements(Template.fromStack(drillApp().drStack));
    expect(statements.length).toBeGreaterThan(0);
    expect(mutatingOnProduction(statements)).toEqual([]);
    const onCopy = statements.filter((s) => s.Resource.some((r: string) => r.includes('orders-dr-drill')));
    expect(onCopy.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'rds:AddTagsToResource', 'rds:CreateDBInstanceReadReplica', 'rds:DeleteDBInstance', 'rds:DescribeDBInstances', 'rds:PromoteReadReplica',
    ]);
    expect(JSON.stringify(statements)).not.toContain('orders-primary');
  });

  test('CreateDBInstanceReadReplica only with the drill-copy tag', () => {
    const statements = drillStatements(Template.fromStack(drillApp().drStack));
    const create = statements.find((s) => [s.Action].flat().includes('rds:CreateDBInstanceReadReplica'));
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-resilient-postgres:drill-copy': 'true' } });
  });

  test('the check finds a statement that would promote the replica, or modify anything (negative control)', () => {
    const { drStack, drill } = drillApp();
    drill.promotionRole.policy.addStatements(
      new iam.PolicyStatement({ actions: ['rds:PromoteReadReplica'], resources: [REPLICA_ARN] }),
      new iam.PolicyStatement({ actions: ['rds:ModifyDBInstance'], resources: ['*'] }),
    );
    expect(mutatingOnProduction(drillStatements(Template.fromStack(drStack)))).toEqual(['rds:PromoteReadReplica', 'rds:ModifyDBInstance']);
  });
});

test('the copy is named by a literal ARN in an App without feature flags, where the stack partition is a token', () => {
  const { drStack, replica, drNet, drAlarms } = failoverApp({}, new App());
  const drill = new RegionFailoverDrill(drStack, 'PlainDrill', { replica, vpc: drNet.vpc, topic: drAlarms.topic, topicKey: drAlarms.topicKey });
  expect(drill.copyArn).toBe(COPY_ARN);
  expect(() => Template.fromStack(drStack)).not.toThrow();
});
