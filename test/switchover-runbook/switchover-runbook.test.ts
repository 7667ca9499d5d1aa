import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { switchoverApp } from './fixture';
import { ACCOUNT, acknowledgements, record, synthWithNag } from '../util';

function definitionOf(template: Template, prefix = 'Switchover'): any {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const [id] = Object.keys(machines).filter((k) => k.startsWith(prefix));
  return JSON.parse(machines[id].Properties.DefinitionString);
}

describe('SwitchoverRunbook', () => {
  test('the workflow: source check, fence through the relay, bounded catch-up, shared promotion, unfence, report', () => {
    const { drStack, writerAgent, targetAgent } = switchoverApp();
    const template = record(drStack);
    const d = definitionOf(template);
    expect(d.QueryLanguage).toBe('JSONata');
    expect(d.TimeoutSeconds).toBeGreaterThan(3600);
    expect(d.States.FollowsWriter.Choices[1].Condition).toContain(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary`);
    expect(d.States.Fence.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(d.States.Fence.Arguments).toEqual({ FunctionName: `arn:aws:lambda:us-west-2:${ACCOUNT}:function:orders-dr-switchover-relay`, Payload: { operation: 'fence' } });
    expect(d.States.ReadReplay.Arguments).toEqual({ FunctionName: targetAgent.functionArn, Payload: { operation: 'replayLsn', fenceLsn: '{% $fenceLsn %}' } });
    expect(d.States.CaughtUp.Choices[1].Condition).toBe('{% $replayPolls >= 24 %}');
    expect(d.States.WaitForReplay.Seconds).toBe(5);
    expect(d.States.NotifyFenceFailed.Next).toBe('UnfenceWriter');
    expect(d.States.MarkReplayTimedOut.Next).toBe('UnfenceWriter');
    expect(d.States.UnfenceWriter.Arguments.Payload).toEqual({ operation: 'unfence' });
    expect(d.States.UnfenceWriter.Next).toBe('Aborted');
    expect(d.States.PromotionDone.Choices[0].Next).toBe('UnfenceNewWriter');
    expect(d.States.UnfenceNewWriter.Arguments).toEqual({ FunctionName: targetAgent.functionArn, Payload: { operation: 'unfence' } });
    expect(d.States.SwitchoverAborted.Type).toBe('Fail');
    // The relay invokes the writer's agent by its literal ARN in the writer's Region.
    expect(writerAgent.functionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders-primary-switchover-agent`);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'python3.14',
      FunctionName: 'orders-dr-switchover-relay',
      Environment: { Variables: { AGENT_FUNCTION_ARN: writerAgent.functionArn } },
    });
  });

  test('least privilege: the workflow invokes the relay and the replica agent only; the relay invokes the writer agent only', () => {
    const { drStack, writerAgent, targetAgent } = switchoverApp();
    const template = record(drStack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'InvokeAgents',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [targetAgent.functionArn, `arn:aws:lambda:us-west-2:${ACCOUNT}:function:orders-dr-switchover-relay`],
        }]),
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Sid: 'InvokeWriterAgent', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: writerAgent.functionArn }]) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'PromoteTheReplica', Action: ['rds:DescribeDBInstances', 'rds:PromoteReadReplica'] })]) },
    });
  });

  test('the SQL agents: the generated bundled function, in the VPC, TLS with the RDS CAs, the master secret', () => {
    const { primaryStack } = switchoverApp();
    const template = record(primaryStack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-primary-switchover-agent',
      Runtime: 'nodejs24.x',
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem', SECRET_ARN: Match.anyValue() }) },
    });
  });

  test('the four cdk-nag packs pass, with reasoned acknowledgements', () => {
    const { app } = switchoverApp();
    expect(synthWithNag(app).findings).toEqual([]);
    const acks = acknowledgements(app).filter((a) => a.path.includes('Switchover'));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(40);
    }
    const dr = Template.fromStack(app.node.findChild('Dr') as Stack);
    expect(Object.keys(dr.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('Switchover'))).toEqual([]);
  });
});

describe('values at the limits are accepted', () => {
  test.each([
    ['the shortest catch-up, polled once', { catchUpTimeout: Duration.seconds(10), catchUpPollInterval: Duration.seconds(10) }, 1],
    ['the longest catch-up at the slowest poll', { catchUpTimeout: Duration.hours(1), catchUpPollInterval: Duration.seconds(60) }, 60],
    ['the fastest poll', { catchUpTimeout: Duration.seconds(10), catchUpPollInterval: Duration.seconds(1) }, 10],
  ])('%s', (_name, props, polls) => {
    const { drStack } = switchoverApp({
      ...props,
      backupRetention: Duration.days(35),
      pollInterval: Duration.seconds(300),
      promotionTimeout: Duration.hours(6),
    });
    const d = definitionOf(record(drStack));
    expect(d.States.CaughtUp.Choices[1].Condition).toBe(`{% $replayPolls >= ${polls} %}`);
    expect(d.States.Promote.Arguments.BackupRetentionPeriod).toBe(35);
  });

  test('a custom agent function name of 64 characters', () => {
    const name = 'a'.repeat(64);
    const { writerAgent } = switchoverApp({}, undefined, { functionName: name });
    expect(writerAgent.functionArn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`);
  });
});
