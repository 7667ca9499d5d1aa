import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CrossRegionReadReplica, IsolatedVpc, MultiAzPostgres, MultiRegionPostgres } from '../../src';
import { multiRegion } from '../rejections/builders';
import { dbStack, newApp, twoRegionApp } from '../util';

function replicaApp(allowedPeers?: (drStack: Stack, drNet: IsolatedVpc) => ec2.IPeer[]) {
  const parts = twoRegionApp();
  const replica = new CrossRegionReadReplica(parts.drStack, 'Replica', {
    sourceInstance: parts.primary,
    vpc: parts.drNet.vpc,
    instanceIdentifier: 'orders-dr',
    allowedPeers: allowedPeers?.(parts.drStack, parts.drNet),
  });
  return { ...parts, replica };
}

function groupId(stack: Stack, group: ec2.ISecurityGroup) {
  return { 'Fn::GetAtt': [stack.getLogicalId(group.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] };
}

describe('security groups on both sides', () => {
  test('the replica admits a DR security group through connections, on the literal port', () => {
    const { drStack, drNet, replica } = replicaApp();
    const app = new ec2.SecurityGroup(drStack, 'App', { vpc: drNet.vpc });
    replica.connections.allowDefaultPortFrom(app);
    Template.fromStack(drStack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: groupId(drStack, replica.securityGroup),
      SourceSecurityGroupId: groupId(drStack, app),
    });
  });

  test('allowedPeers on the replica admits a security group and a CIDR range, on the literal port', () => {
    let app: ec2.SecurityGroup | undefined;
    const { drStack, replica } = replicaApp((stack, net) => {
      app = new ec2.SecurityGroup(stack, 'App', { vpc: net.vpc });
      return [app, ec2.Peer.ipv4('10.1.0.0/16')];
    });
    const t = Template.fromStack(drStack);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: groupId(drStack, replica.securityGroup),
      SourceSecurityGroupId: groupId(drStack, app!),
      Description: 'Client of orders-dr (allowedPeers)',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('orders-dr'),
      SecurityGroupIngress: [{ CidrIp: '10.1.0.0/16', IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Description: 'Client of orders-dr (allowedPeers)' }],
    });
  });

  test('without allowedPeers the replica admits no one', () => {
    const { drStack } = replicaApp();
    const t = Template.fromStack(drStack);
    expect(t.findResources('AWS::EC2::SecurityGroupIngress')).toEqual({});
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('orders-dr'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('allowedPeers on MultiAzPostgres admits the peers', () => {
    const app = newApp();
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const net = new IsolatedVpc(stack, 'Network');
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: net.vpc });
    const db = new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, allowedPeers: [client] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, ToPort: 5432, GroupId: groupId(stack, db.securityGroup), SourceSecurityGroupId: groupId(stack, client),
    });
  });

  test('a security group of the primary\'s Region is refused on the replica', () => {
    const parts = twoRegionApp();
    const primaryNet = parts.primaryStack.node.findChild('Network') as IsolatedVpc;
    const primaryApp = new ec2.SecurityGroup(parts.primaryStack, 'App', { vpc: primaryNet.vpc });
    expect(() => new CrossRegionReadReplica(parts.drStack, 'Replica', {
      sourceInstance: parts.primary, vpc: parts.drNet.vpc, instanceIdentifier: 'orders-dr', allowedPeers: [primaryApp],
    })).toThrow(/^\[Dr\/Replica\] CrossRegionReadReplica: invalid allowedPeers\[0\] 'Primary\/App': a security group of a stack in us-west-2/);
  });

  test('the pattern admits each Region\'s peers to its own database, and the probes keep their access', () => {
    const app = newApp();
    multiRegion({
      primaryAllowedPeers: [ec2.Peer.ipv4('10.0.0.0/16')],
      drAllowedPeers: [ec2.Peer.ipv4('10.1.0.0/16')],
    })(app);
    const orders = app.node.findAll().find((c): c is MultiRegionPostgres => c instanceof MultiRegionPostgres)!;
    const drStack = Stack.of(orders.replica);
    const primaryStack = Stack.of(orders.primary);
    const rule = (cidr: string, id: string) => ({ CidrIp: cidr, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Description: `Client of ${id} (allowedPeers)` });
    Template.fromStack(primaryStack).hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [rule('10.0.0.0/16', 'orders-primary')] });
    const dr = Template.fromStack(drStack);
    dr.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [rule('10.1.0.0/16', 'orders-dr')] });
    dr.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      Description: 'Writable probe',
      GroupId: groupId(drStack, orders.replica.securityGroup),
    });
  });

  test('the pattern refuses a DR peer of the primary\'s Region', () => {
    const app = newApp();
    expect(() => multiRegion({
      drAllowedPeers: [new ec2.SecurityGroup(new Stack(app, 'Apps', { env: { account: '111111111111', region: 'us-east-1' } }), 'App', {
        vpc: ec2.Vpc.fromVpcAttributes(app.node.findChild('Apps'), 'Vpc', { vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['us-east-1a'] }),
      })],
    })(app)).toThrow(/^\[Primary\/Orders\] MultiRegionPostgres: invalid drAllowedPeers\[0\] 'Apps\/App': a security group of a stack in us-west-2/);
  });

  test('existing templates are unchanged without allowedPeers', () => {
    const { stack } = dbStack();
    expect(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress', { Properties: { Description: Match.stringLikeRegexp('allowedPeers') } })).toEqual({});
  });
});
