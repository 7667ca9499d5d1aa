import { Template } from 'aws-cdk-lib/assertions';
import { multiRegionIn } from '../rejections/builders';
import { DR_REGION, ONCALL_EMAIL, PRIMARY_REGION, newApp, newStack } from '../util';

function templates(props: { regionDrill?: boolean; azDrill?: boolean } = {}) {
  const app = newApp();
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const orders = multiRegionIn(primaryStack, drStack, { subscriberEmails: [ONCALL_EMAIL], ...props });
  return { orders, primary: Template.fromStack(primaryStack).toJSON(), dr: Template.fromStack(drStack).toJSON() };
}

describe('the drills of MultiRegionPostgres', () => {
  test('are off by default: the templates are those without the props', () => {
    const without = templates();
    const off = templates({ regionDrill: false, azDrill: false });
    expect(off.primary).toEqual(without.primary);
    expect(off.dr).toEqual(without.dr);
    expect(without.orders.regionDrill).toBeUndefined();
    expect(without.orders.azDrill).toBeUndefined();
    const types = (t: any) => Object.values<any>(t.Resources).map((r) => r.Type);
    expect(types(without.primary)).not.toContain('AWS::FIS::ExperimentTemplate');
    expect(types(without.dr).filter((t) => t === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  });

  test('regionDrill adds the Region drill next to the replica, reporting on the DR topic', () => {
    const { orders, dr } = templates({ regionDrill: true });
    expect(orders.regionDrill?.copyIdentifier).toBe('orders-dr-drill');
    expect(orders.regionDrill?.node.path).toBe('Dr/Orders/RegionDrill');
    const machines = Object.values<any>(dr.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(['orders-dr-failover', 'orders-dr-region-drill']);
  });

  test('azDrill adds the AZ drill of the primary, stopped by the primary\'s four CRITICAL alarms', () => {
    const { orders, primary } = templates({ azDrill: true });
    expect(orders.azDrill?.instanceIdentifier).toBe('orders-primary');
    const experiments = Object.values<any>(primary.Resources).filter((r) => r.Type === 'AWS::FIS::ExperimentTemplate');
    expect(experiments).toHaveLength(1);
    const alarmName = (condition: any) => primary.Resources[condition.Value['Fn::GetAtt'][0]].Properties.AlarmName;
    expect(experiments[0].Properties.StopConditions.map((c: any) => [c.Source, alarmName(c)])).toEqual([
      ['aws:cloudwatch:alarm', 'orders-primary-free-storage-space'],
      ['aws:cloudwatch:alarm', 'orders-primary-oldest-replication-slot-lag'],
      ['aws:cloudwatch:alarm', 'orders-primary-transaction-logs-disk-usage'],
      ['aws:cloudwatch:alarm', 'orders-primary-maximum-used-transaction-ids'],
    ]);
  });
});
