import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../../src/private/nag';
import { acknowledgements, dbStack, newApp, newStack, synthWithNag } from '../util';

const MONITORING_POLICY = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]';

/**
 * aws-cdk-lib 2.263.0 to 2.268.x refuse an acknowledgement ID with a second '::' in `Validations.acknowledge`
 * (`qualifyId`): the error below is what 2.263.0 throws for `AwsSolutions::AwsSolutions-IAM5[Resource::*]`.
 * The unit tests run on a newer release, so this stands in for those releases.
 */
function refuseDetailedIdsAs2263(): jest.SpyInstance {
  const original = Validations.prototype.acknowledge;
  return jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
    for (const rule of rules) {
      if (rule.id.split('::').length > 2) {
        const e = new Error(`Invalid validation rule ID '${rule.id}'. The '::' delimiter is reserved for separating the prefix `
          + 'from the rule name (e.g. \'prefix::RuleName\').');
        e.name = 'InvalidValidationId';
        throw e;
      }
    }
    original.apply(this, rules);
  });
}

afterEach(() => jest.restoreAllMocks());

describe('acknowledgements on aws-cdk-lib releases that refuse an ID with a detail', () => {
  test('the library\'s findings with a detail stay acknowledged: zero unacknowledged findings from the four packs', () => {
    refuseDetailedIdsAs2263();
    const { app } = dbStack();
    expect(synthWithNag(app).findings).toEqual([]);
  });

  test('the acknowledgement is recorded on the same construct under the finding\'s own ID, with the same reason', () => {
    const refusal = refuseDetailedIdsAs2263();
    const { app } = dbStack();
    const acks = acknowledgements(app).filter((a) => a.id.includes('IAM4'));
    expect(refusal).toHaveBeenCalledWith({ id: `AwsSolutions::${MONITORING_POLICY}`, reason: expect.any(String) });
    expect(acks.map((a) => `${a.path} ${a.id}`)).toEqual([`TestStack/Db/Instance/MonitoringRole ${MONITORING_POLICY}`]);
    expect(acks[0].reason).toMatch(/enhanced monitoring/);
  });

  test('the same finding on a resource outside the acknowledged scope is still reported', () => {
    refuseDetailedIdsAs2263();
    const { app, stack } = dbStack();
    new iam.Role(stack, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    expect(synthWithNag(app).findings).toEqual([
      { pluginName: 'AwsSolutions', ruleName: MONITORING_POLICY, constructPath: 'TestStack/AppRole/Resource' },
    ]);
  });

  test('without the refusal the acknowledgement goes through Validations.acknowledge under <pack>::<finding>', () => {
    const { app } = dbStack();
    expect(acknowledgements(app).filter((a) => a.id.includes('IAM4')).map((a) => a.id)).toEqual([`AwsSolutions::${MONITORING_POLICY}`]);
  });

  test('any other error from Validations.acknowledge is not swallowed', () => {
    jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {
      throw new Error('Invalid validation rule ID \'x\'. Unmatched closing brace \']\' at position 0.');
    });
    const app = newApp();
    const stack = newStack(app);
    expect(() => acknowledge(stack, 'reason', 'AwsSolutions-IAM5[Resource::*]')).toThrow(/Unmatched closing brace/);
    expect(acknowledgements(app)).toEqual([]);
  });
});
