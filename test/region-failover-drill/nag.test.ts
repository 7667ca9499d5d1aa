import { drillApp } from './fixture';
import { acknowledgements, record, synthWithNag } from '../util';

describe('compliance packs on a RegionFailoverDrill', () => {
  test('zero unacknowledged findings from AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1 and the built-in rules', () => {
    const { app, drStack } = drillApp();
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    expect(synthWithNag(app).findings).toEqual([]);
    record(drStack);
  });

  test('the drill\'s acknowledgements are these, each with a reason', () => {
    const { app } = drillApp();
    const acks = acknowledgements(app).filter((a) => a.path.startsWith('Dr/Drill'));
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Dr/Drill/DrillPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Dr/Drill/LoggingAndTracingPolicy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Dr/Drill/PromotionRole/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});
