import { Match } from 'aws-cdk-lib/assertions';
import { IsolatedVpc } from '../../src';
import { newApp, newStack, record, synthWithNag } from '../util';

describe('IsolatedVpc', () => {
  test('isolated subnets only, in two AZs, with no NAT and no internet gateway', () => {
    const stack = newStack();
    new IsolatedVpc(stack, 'Network');
    const template = record(stack);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test('flow logs of all traffic go to a KMS-encrypted log group kept a year, through a managed policy', () => {
    const stack = newStack();
    new IsolatedVpc(stack, 'Network');
    const template = record(stack);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogKey'), 'Arn'] },
      RetentionInDays: 365,
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('the Secrets Manager endpoint is closed until granted', () => {
    const stack = newStack();
    new IsolatedVpc(stack, 'Network');
    const template = record(stack);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('SecretsManager'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('maxAzs and CIDR overrides', () => {
    const stack = newStack();
    new IsolatedVpc(stack, 'Network', { maxAzs: 3 });
    record(stack).resourceCountIs('AWS::EC2::Subnet', 3);
  });

  test.each([1, 7, 2.5])('rejects maxAzs %p', (maxAzs) => {
    expect(() => new IsolatedVpc(newStack(), 'Network', { maxAzs }))
      .toThrow(new RegExp(`IsolatedVpc: invalid maxAzs ${maxAzs}: a whole number from 2 to 6`));
  });

  test('passes the four packs on its own', () => {
    const app = newApp();
    new IsolatedVpc(newStack(app), 'Network');
    expect(synthWithNag(app).findings).toEqual([]);
  });
});
