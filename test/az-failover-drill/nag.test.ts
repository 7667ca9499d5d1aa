import { Duration } from 'aws-cdk-lib';
import { AzFailoverDrill, DbAlarmSet } from '../../src';
import { acknowledgements, dbStack, record, synthWithNag } from '../util';

function drillApp() {
  const { app, stack, db } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
  const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
  new AzFailoverDrill(stack, 'Drill', {
    instance: db,
    stopConditionAlarms: [alarms.alarms.FreeStorageSpace, alarms.alarms.TransactionLogsDiskUsage],
    rtoObjective: Duration.minutes(5),
    topic: alarms.topic,
    topicKey: alarms.topicKey,
  });
  return { app, stack };
}

describe('compliance packs on an AzFailoverDrill', () => {
  test('the packs raise the findings the drill acknowledges (negative control)', () => {
    const { app } = drillApp();
    for (const c of app.node.findAll()) {
      if (['TestStack/Drill/Policy', 'TestStack/Drill/Measurement/Policy'].includes(c.node.path)) {
        // Drop the acknowledgements the construct recorded, so the packs report what they cover.
        (c.node as unknown as { _metadata: unknown[] })._metadata = [];
      }
    }
    const rules = synthWithNag(app).findings.filter((f) => f.constructPath.startsWith('TestStack/Drill')).map((f) => f.ruleName).sort();
    expect(rules).toEqual([
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:fis:us-east-1:111111111111:experiment/*]',
    ]);
  });

  test('zero unacknowledged findings from AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1 and the built-in rules', () => {
    const { app, stack } = drillApp();
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    expect(synthWithNag(app).findings).toEqual([]);
    record(stack);
  });

  test('the drill\'s acknowledgements are these, each with a reason', () => {
    const { app } = drillApp();
    const acks = acknowledgements(app).filter((a) => a.path.startsWith('TestStack/Drill'));
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'TestStack/Drill/Measurement/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'TestStack/Drill/Measurement/Policy AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:fis:us-east-1:111111111111:experiment/*]',
      'TestStack/Drill/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
