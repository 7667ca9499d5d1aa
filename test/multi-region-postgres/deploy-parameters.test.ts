import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DeployParameters, DeployValue, DrBackupVault, DrSecretKey, MultiRegionPostgres } from '../../src';
import { DR_KEY, DR_SECRET_KEY, multiRegionIn } from '../rejections/builders';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, newApp, newStack } from '../util';


/** The context key aws-cdk-lib's SSM parameter provider computes for a lookup from a stack of ACCOUNT. */
function contextKey(value: DeployValue, region: string): string {
  return `ssm:account=${ACCOUNT}:parameterName=/cdk-resilient-postgres/orders/${value}:region=${region}`;
}

/** The context a synth by the CDK CLI with credentials leaves in cdk.context.json once every parameter exists. */
const LOOKED_UP = {
  [contextKey(DeployValue.DR_BACKUP_KEY_ARN, DR_REGION)]: DR_KEY,
  [contextKey(DeployValue.DR_SECRET_KEY_ARN, DR_REGION)]: DR_SECRET_KEY,
  [contextKey(DeployValue.PRIMARY_ENDPOINT_ADDRESS, PRIMARY_REGION)]: PRIMARY_ENDPOINT,
  [contextKey(DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION)]: PRIMARY_VPC_ID,
};

/** The reference app's three stacks in lookup mode. */
function lookupApp(context: Record<string, unknown> = {}, annotationsInValidationReport = true) {
  const app = newApp({ context: { ...context, '@aws-cdk/core:annotationsInValidationReport': annotationsInValidationReport } });
  const drFoundation = newStack(app, 'DrFoundation', DR_REGION);
  const primary = newStack(app, 'Primary', PRIMARY_REGION);
  const dr = newStack(app, 'Dr', DR_REGION);
  primary.addStackDependency(drFoundation);
  const vault = new DrBackupVault(drFoundation, 'BackupVault', { backupVaultName: 'orders-dr' });
  const secretKey = new DrSecretKey(drFoundation, 'SecretKey');
  DeployParameters.publish(drFoundation, 'orders', DeployValue.DR_BACKUP_KEY_ARN, vault.encryptionKey.keyArn);
  DeployParameters.publish(drFoundation, 'orders', DeployValue.DR_SECRET_KEY_ARN, secretKey.keyArn);
  const orders = new MultiRegionPostgres(primary, 'Orders', {
    drScope: dr,
    name: 'orders',
    zoneName: 'orders.internal',
    deployParameters: true,
    drBackupKeyArn: DeployParameters.lookup(primary, 'orders', DeployValue.DR_BACKUP_KEY_ARN, DR_REGION),
    drSecretKeyArn: DeployParameters.lookup(primary, 'orders', DeployValue.DR_SECRET_KEY_ARN, DR_REGION),
    primaryEndpointAddress: DeployParameters.lookup(dr, 'orders', DeployValue.PRIMARY_ENDPOINT_ADDRESS, PRIMARY_REGION),
    primaryVpcId: DeployParameters.lookup(dr, 'orders', DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION),
  });
  return { app, drFoundation, primary, dr, orders };
}

/** The same app in literal mode. */
function literalApp(deployParameters?: boolean) {
  const app = newApp();
  const primary = newStack(app, 'Primary', PRIMARY_REGION);
  const dr = newStack(app, 'Dr', DR_REGION);
  multiRegionIn(primary, dr, { deployParameters });
  return { app, primary, dr };
}

describe('parameter names', () => {
  test('/cdk-resilient-postgres/<name>/<value>', () => {
    expect(DeployParameters.parameterName('orders', DeployValue.DR_BACKUP_KEY_ARN)).toBe('/cdk-resilient-postgres/orders/dr-backup-key-arn');
    expect(DeployParameters.parameterName('orders', DeployValue.DR_SECRET_KEY_ARN)).toBe('/cdk-resilient-postgres/orders/dr-secret-key-arn');
    expect(DeployParameters.parameterName('orders', DeployValue.PRIMARY_ENDPOINT_ADDRESS))
      .toBe('/cdk-resilient-postgres/orders/primary-endpoint-address');
    expect(DeployParameters.parameterName('orders-eu', DeployValue.PRIMARY_VPC_ID)).toBe('/cdk-resilient-postgres/orders-eu/primary-vpc-id');
  });

  test.each(['Orders', 'orders-', '1orders', 'or--ders', 'o'.repeat(51), ''])('a name the pattern would refuse (%p) is rejected', (name) => {
    expect(() => DeployParameters.parameterName(name, DeployValue.PRIMARY_VPC_ID))
      .toThrow(new RegExp(`^DeployParameters: invalid name '${name}': the MultiRegionPostgres name: lower-case letters`));
  });
});

describe('publish', () => {
  test('a String parameter in the stack of the scope, named for the pattern and the value', () => {
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    const secretKey = new DrSecretKey(stack, 'SecretKey');
    const parameter = DeployParameters.publish(stack, 'orders', DeployValue.DR_SECRET_KEY_ARN, secretKey.keyArn);
    expect(parameter.node.id).toBe('orders-dr-secret-key-arn');
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/cdk-resilient-postgres/orders/dr-secret-key-arn',
      Type: 'String',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretKey'), 'Arn'] },
    });
  });

  test('two patterns publish side by side', () => {
    const stack = newStack(newApp(), 'DrFoundation', DR_REGION);
    DeployParameters.publish(stack, 'orders', DeployValue.DR_BACKUP_KEY_ARN, DR_KEY);
    DeployParameters.publish(stack, 'billing', DeployValue.DR_BACKUP_KEY_ARN, DR_KEY);
    Template.fromStack(stack).resourceCountIs('AWS::SSM::Parameter', 2);
  });
});

describe('the pattern writes the primary values when deployParameters is set', () => {
  test('two parameters in the primary stack, with the values of the outputs PrimaryVpcId and PrimaryEndpointAddress', () => {
    const { primary, dr } = literalApp(true);
    const template = Template.fromStack(primary);
    template.resourceCountIs('AWS::SSM::Parameter', 2);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/cdk-resilient-postgres/orders/primary-endpoint-address',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersPrimaryInstance'), 'Endpoint.Address'] },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/cdk-resilient-postgres/orders/primary-vpc-id',
      Value: { Ref: Match.stringLikeRegexp('^OrdersNetwork') },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const parameters = Object.values(template.findResources('AWS::SSM::Parameter')).map((r) => r.Properties.Value);
    const outputValue = (prefix: string) => Object.entries(outputs).find(([id]) => id.startsWith(prefix))![1].Value;
    expect(parameters).toEqual(expect.arrayContaining([outputValue('OrdersPrimaryVpcId'), outputValue('OrdersPrimaryEndpointAddress')]));
    Template.fromStack(dr).resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test.each([undefined, false])('deployParameters %p (literal mode): no parameter, the template as before', (deployParameters) => {
    const { primary } = literalApp(deployParameters);
    Template.fromStack(primary).resourceCountIs('AWS::SSM::Parameter', 0);
    const plain = literalApp();
    expect(Template.fromStack(primary).toJSON()).toEqual(Template.fromStack(plain.primary).toJSON());
    expect(Template.fromStack(literalApp(deployParameters).dr).toJSON()).toEqual(Template.fromStack(plain.dr).toJSON());
  });
});

describe('lookup', () => {
  test('with the values in the context (cdk.context.json), the templates are those of literal mode but for the parameters', () => {
    const looked = lookupApp(LOOKED_UP);
    const literal = literalApp(true);
    expect(Template.fromStack(looked.primary).toJSON()).toEqual(Template.fromStack(literal.primary).toJSON());
    expect(Template.fromStack(looked.dr).toJSON()).toEqual(Template.fromStack(literal.dr).toJSON());
    for (const stack of [looked.drFoundation, looked.primary, looked.dr]) {
      Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    }
    expect((looked.app.synth().manifest.missing ?? []).filter((m) => m.provider === 'ssm')).toEqual([]);
  });

  test('the looked-up values reach the templates', () => {
    const { primary, dr } = lookupApp(LOOKED_UP);
    Template.fromStack(primary).hasResourceProperties('AWS::RDS::DBInstance', { AutomaticBackupReplicationKmsKeyId: DR_KEY });
    Template.fromStack(primary).hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: DR_REGION, KmsKeyId: DR_SECRET_KEY }],
    });
    Template.fromStack(dr).hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'writer.orders.internal.', Failover: 'PRIMARY', ResourceRecords: [PRIMARY_ENDPOINT],
    });
    Template.fromStack(dr).hasResourceProperties('AWS::Route53::HostedZone', {
      VPCs: Match.arrayWith([{ VPCId: PRIMARY_VPC_ID, VPCRegion: PRIMARY_REGION }]),
    });
  });

  test('without the values (the CLI\'s first synth), the missing keys are in the cloud assembly and the synth completes', () => {
    // With @aws-cdk/core:annotationsInValidationReport, as in examples/cdk.json: an error annotation here would make
    // app.synth() throw, and the CLI could not run the lookups.
    const { app, drFoundation, primary, dr } = lookupApp();
    const missing = (app.synth().manifest.missing ?? []).filter((m) => m.provider === 'ssm');
    expect(missing.map((m) => m.key).sort()).toEqual(Object.keys(LOOKED_UP).sort());
    const endpoint = missing.find((m) => m.key === contextKey(DeployValue.PRIMARY_ENDPOINT_ADDRESS, PRIMARY_REGION))!;
    expect(endpoint.props).toEqual(expect.objectContaining({
      account: ACCOUNT,
      region: PRIMARY_REGION,
      parameterName: '/cdk-resilient-postgres/orders/primary-endpoint-address',
      // mustExist: the CLI fails the lookup of a parameter that does not exist, rather than caching the placeholder.
      ignoreErrorOnMissingContext: false,
      // The CLI reads the parameter with the lookup role of the reading stack's environment (the DR stack's).
      lookupRoleArn: `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-lookup-role-${ACCOUNT}-${DR_REGION}`,
    }));
    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('deployParameterNotLookedUp'));
    expect(warnings(primary).map((w) => w.entry.data)).toEqual([
      expect.stringMatching(new RegExp('^dr-backup-key-arn of orders is read from SSM parameter /cdk-resilient-postgres/orders/dr-backup-key-arn '
        + 'in us-west-2 when the CDK CLI synthesizes the app with AWS credentials .* the placeholder '
        + 'arn:aws:kms:us-west-2:111111111111:key/00000000-0000-0000-0000-000000000000')),
      expect.stringMatching(/^dr-secret-key-arn of orders /),
    ]);
    expect(warnings(dr).map((w) => w.entry.data)).toEqual([
      expect.stringMatching(/^primary-endpoint-address of orders .* placeholder orders-primary\.placeholder\.us-east-1\.rds\.amazonaws\.com\./),
      expect.stringMatching(/^primary-vpc-id of orders .* placeholder vpc-00000000\./),
    ]);
    expect(warnings(drFoundation)).toEqual([]);
    Template.fromStack(dr).hasResourceProperties('AWS::Route53::RecordSet', {
      Failover: 'PRIMARY', ResourceRecords: ['orders-primary.placeholder.us-east-1.rds.amazonaws.com'],
    });
  });

  test('a failed lookup (no such parameter yet) is aws-cdk-lib\'s error on the reading stack only (without annotationsInValidationReport)', () => {
    const failed = {
      [cxapi.PROVIDER_ERROR_KEY]: 'SSM parameter not available in account 111111111111, region us-east-1: /cdk-resilient-postgres/orders/primary-vpc-id',
      $dontSaveContext: true,
    };
    const { primary, dr } = lookupApp({ ...LOOKED_UP, [contextKey(DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION)]: failed }, false);
    expect(Annotations.fromStack(dr).findError('*', Match.anyValue()).map((e) => e.entry.data)).toEqual([failed[cxapi.PROVIDER_ERROR_KEY]]);
    expect(Annotations.fromStack(dr).findWarning('*', Match.stringLikeRegexp('deployParameterNotLookedUp'))).toEqual([]);
    Annotations.fromStack(primary).hasNoError('*', Match.anyValue());
  });

  test('with @aws-cdk/core:annotationsInValidationReport, a failed lookup fails the synth of the whole app', () => {
    const failed = { [cxapi.PROVIDER_ERROR_KEY]: 'SSM parameter not available', $dontSaveContext: true };
    const { app } = lookupApp({ ...LOOKED_UP, [contextKey(DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION)]: failed });
    expect(() => app.synth()).toThrow(/SSM parameter not available/);
  });

  test('the placeholders pass the pattern\'s checks, so that the first synth completes and reports what is missing', () => {
    expect(() => lookupApp()).not.toThrow();
  });

  test('rejects a Region that is a token or unknown, and a scope without an env', () => {
    const stack = newStack(newApp(), 'Dr', DR_REGION);
    expect(() => DeployParameters.lookup(stack, 'orders', DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION))
      .not.toThrow();
    const tokenRegion = new Stack(new App(), 'Agnostic').region;
    expect(() => DeployParameters.lookup(stack, 'orders', DeployValue.PRIMARY_VPC_ID, tokenRegion))
      .toThrow(/^DeployParameters: invalid region \(a token\): a literal Region name: the lookup runs at synth$/);
    expect(() => DeployParameters.lookup(stack, 'orders', DeployValue.PRIMARY_VPC_ID, 'us-east-9'))
      .toThrow(/^DeployParameters: invalid region 'us-east-9': a literal AWS Region name/);
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(() => DeployParameters.lookup(agnostic, 'orders', DeployValue.PRIMARY_VPC_ID, PRIMARY_REGION))
      .toThrow(/^DeployParameters: invalid scope 'Agnostic': a construct in a stack with an explicit env/);
  });

  test('key ARN placeholders are in the partition of the Region', () => {
    const app = newApp();
    const stack = new Stack(app, 'Cn', { env: { account: ACCOUNT, region: 'cn-north-1' } });
    expect(DeployParameters.lookup(stack, 'orders', DeployValue.DR_SECRET_KEY_ARN, 'cn-northwest-1'))
      .toBe(`arn:aws-cn:kms:cn-northwest-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`);
  });
});

describe('the app\'s own VPCs from ec2.Vpc.fromLookup', () => {
  // Without @aws-cdk/core:validateAgainstDefaultRules: with it, aws-cdk-lib's template validation rejects the subnets and
  // the VPC ID of the placeholder VPC (p-12345, vpc-12345) before any lookup has run, whatever the pattern does.
  function fromLookupApp(context: Record<string, unknown>, primaryVpcId?: string) {
    const app = newApp({ context: { ...context, [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: false } });
    const primary = newStack(app, 'Primary', PRIMARY_REGION);
    const dr = newStack(app, 'Dr', DR_REGION);
    multiRegionIn(primary, dr, {
      primaryVpcId,
      primaryNetwork: { vpc: ec2.Vpc.fromLookup(primary, 'Vpc', { vpcId: PRIMARY_VPC_ID }) },
      drNetwork: { vpc: ec2.Vpc.fromLookup(dr, 'Vpc', { vpcId: 'vpc-0f1e2d3c4b5a69788' }) },
    });
    return { app, primary, dr };
  }

  test.each([undefined, PRIMARY_VPC_ID])('before the CLI looked the VPCs up (placeholder vpc-12345), the pattern accepts them and the synth reports them (primaryVpcId %p)', (primaryVpcId) => {
    const { app } = fromLookupApp({}, primaryVpcId);
    const missing = (app.synth().manifest.missing ?? []).filter((m) => m.provider === 'vpc-provider');
    expect(missing).toHaveLength(2);
  });

  test('once looked up, the zone is associated with the primary VPC', () => {
    const vpcResponse = (vpcId: string, cidr: string, azs: string[]) => ({
      vpcId,
      vpcCidrBlock: cidr,
      ownerAccountId: ACCOUNT,
      availabilityZones: [],
      subnetGroups: [{
        name: 'Isolated',
        type: 'Isolated',
        subnets: azs.map((az, i) => ({ subnetId: `subnet-0${i}a1b2c3d4e5f6071`, cidr: cidr.replace('0.0/16', `${i}.0/24`), availabilityZone: az, routeTableId: `rtb-0${i}a1b2c3d4e5f6071` })),
      }],
    });
    const vpcKey = (vpcId: string, region: string) =>
      `vpc-provider:account=${ACCOUNT}:filter.vpc-id=${vpcId}:region=${region}:returnAsymmetricSubnets=true`;
    const { dr } = fromLookupApp({
      [vpcKey(PRIMARY_VPC_ID, PRIMARY_REGION)]: vpcResponse(PRIMARY_VPC_ID, '10.0.0.0/16', ['us-east-1a', 'us-east-1b']),
      [vpcKey('vpc-0f1e2d3c4b5a69788', DR_REGION)]: vpcResponse('vpc-0f1e2d3c4b5a69788', '10.1.0.0/16', ['us-west-2a', 'us-west-2b']),
    });
    Template.fromStack(dr).hasResourceProperties('AWS::Route53::HostedZone', {
      VPCs: Match.arrayWith([{ VPCId: PRIMARY_VPC_ID, VPCRegion: PRIMARY_REGION }]),
    });
  });

  test('a looked-up VPC whose ID differs from primaryVpcId is still rejected', () => {
    expect(() => fromLookupApp({
      [`vpc-provider:account=${ACCOUNT}:filter.vpc-id=${PRIMARY_VPC_ID}:region=${PRIMARY_REGION}:returnAsymmetricSubnets=true`]: {
        vpcId: PRIMARY_VPC_ID,
        vpcCidrBlock: '10.0.0.0/16',
        availabilityZones: [],
        subnetGroups: [{
          name: 'Isolated',
          type: 'Isolated',
          subnets: [
            { subnetId: 'subnet-00a1b2c3d4e5f6071', cidr: '10.0.0.0/24', availabilityZone: 'us-east-1a', routeTableId: 'rtb-00a1b2c3d4e5f6071' },
            { subnetId: 'subnet-01a1b2c3d4e5f6071', cidr: '10.0.1.0/24', availabilityZone: 'us-east-1b', routeTableId: 'rtb-01a1b2c3d4e5f6071' },
          ],
        }],
      },
    }, 'vpc-0123456789abcdef0')).toThrow(/invalid primaryVpcId 'vpc-0123456789abcdef0': the ID of the VPC in primaryNetwork, vpc-0a1b2c3d4e5f60718/);
  });
});
