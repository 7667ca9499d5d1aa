import { Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CrossRegionReadReplica, MultiAzPostgresProps, PostgresInstanceBase, Warnings, WritableProbe } from '../../src';
import { ACCOUNT, DR_REGION, DR_SECRET_KEY_ARN, twoRegionApp } from '../util';

const REPLICATED = { region: DR_REGION };

/** A primary with `primaryProps`, its DR replica, and a DR probe that logs in with `credentials`. */
function drProbe(primaryProps: (scope: Stack) => Partial<MultiAzPostgresProps>,
  credentials: (drStack: Stack) => secretsmanager.ISecret) {
  const parts = twoRegionApp(primaryProps);
  const replica = new CrossRegionReadReplica(parts.drStack, 'Replica', {
    sourceInstance: parts.primary, vpc: parts.drNet.vpc, instanceIdentifier: 'orders-dr',
  });
  const build = () => new WritableProbe(parts.drStack, 'ReplicaProbe', {
    instance: replica,
    credentials: credentials(parts.drStack),
    vpc: parts.drNet.vpc,
    awsApiEndpoints: [parts.drNet.secretsManagerEndpoint, parts.drNet.monitoringEndpoint],
    topic: new sns.Topic(parts.drStack, 'Topic', { enforceSSL: true }),
  });
  return { ...parts, replica, build };
}

const byName = (name: string) => (drStack: Stack) => secretsmanager.Secret.fromSecretAttributes(drStack, 'ReplicatedSecret', {
  secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:${name}`,
  encryptionKey: kms.Key.fromKeyArn(drStack, 'SecretKey', DR_SECRET_KEY_ARN),
});

describe('the DR probe reads the master secret\'s replica in its own Region', () => {
  test('a master secret without a replica in the DR Region is refused, naming the Region and the fix', () => {
    const { build } = drProbe(() => ({ secretName: 'orders-primary/master' }), byName('orders-primary/master'));
    expect(build).toThrow(new RegExp("^\\[Dr/ReplicaProbe\\] WritableProbe: invalid credentials 'Dr/ReplicatedSecret': a secret the probe "
      + "can read in us-west-2: these credentials are the source's master secret Primary/Orders/Secret, which has no replica in us-west-2 "
      + "\\(its replica Regions: none\\); add \\{ region: 'us-west-2'.*secretReplicaRegions"));
  });

  test('a master secret replicated to another Region only is refused', () => {
    const { build } = drProbe(() => ({ secretName: 'orders-primary/master', secretReplicaRegions: [{ region: 'eu-west-1' }] }),
      byName('orders-primary/master'));
    expect(build).toThrow(/has no replica in us-west-2 \(its replica Regions: eu-west-1\)/);
  });

  test('the twin with the secret replicated to the DR Region is accepted, without a warning', () => {
    const { build, drStack } = drProbe((scope) => ({
      secretName: 'orders-primary/master',
      secretReplicaRegions: [{ ...REPLICATED, encryptionKey: kms.Key.fromKeyArn(scope, 'DrSecretKey', DR_SECRET_KEY_ARN) }],
    }), byName('orders-primary/master'));
    expect(build).not.toThrow();
    Annotations.fromStack(drStack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.SECRET_REPLICATION_UNKNOWN));
  });

  test('the primary\'s secret itself, given from the primary\'s stack, is refused when not replicated', () => {
    const parts = drProbe(() => ({ secretName: 'orders-primary/master' }), () => undefined as unknown as secretsmanager.ISecret);
    expect(() => new WritableProbe(parts.drStack, 'Probe', {
      instance: parts.replica,
      credentials: parts.primary.secret,
      vpc: parts.drNet.vpc,
      topic: new sns.Topic(parts.drStack, 'Topic', { enforceSSL: true }),
    })).toThrow(/invalid credentials 'Primary\/Orders\/Secret\/Attachment': a secret the probe can read in us-west-2/);
  });

  test('a login secret of another name is the probe\'s own: accepted', () => {
    const { build } = drProbe(() => ({ secretName: 'orders-primary/master' }), byName('orders-dr/probe'));
    expect(build).not.toThrow();
  });

  test('a login secret created in the DR stack is accepted', () => {
    const { build } = drProbe(() => ({}), (drStack) => new secretsmanager.Secret(drStack, 'ProbeLogin'));
    expect(build).not.toThrow();
  });

  test('when the synth cannot tell (a generated master secret name), it warns, and the warning can be acknowledged', () => {
    const { build, drStack } = drProbe(() => ({}), byName('orders-primary-master'));
    const probe = build();
    Annotations.fromStack(drStack).hasWarning('/Dr/ReplicaProbe', Match.stringLikeRegexp(
      `cannot tell at synth whether the credentials Dr/ReplicatedSecret can be read in us-west-2.*${Warnings.SECRET_REPLICATION_UNKNOWN}`));
    expect(probe).toBeDefined();
    const again = drProbe(() => ({}), byName('orders-primary-master'));
    CoreAnnotations.of(again.drStack).acknowledgeWarning(Warnings.SECRET_REPLICATION_UNKNOWN, 'the secret is replicated by the platform team');
    again.build();
    Annotations.fromStack(again.drStack).hasNoWarning('*', Match.stringLikeRegexp(Warnings.SECRET_REPLICATION_UNKNOWN));
  });

  test('an imported source: it warns', () => {
    const parts = twoRegionApp();
    const source = PostgresInstanceBase.fromPostgresInstanceAttributes(parts.drStack, 'Source', {
      instanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-primary`,
      endpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
      engine: parts.primary.engine,
      instanceType: parts.primary.instanceType,
      storageEncrypted: true,
      masterUserPasswordManagedByRds: false,
    });
    const replica = new CrossRegionReadReplica(parts.drStack, 'Replica', { sourceInstance: source, vpc: parts.drNet.vpc, instanceIdentifier: 'orders-dr' });
    new WritableProbe(parts.drStack, 'ReplicaProbe', {
      instance: replica,
      credentials: byName('orders-primary/master')(parts.drStack),
      vpc: parts.drNet.vpc,
      topic: new sns.Topic(parts.drStack, 'Topic', { enforceSSL: true }),
    });
    Annotations.fromStack(parts.drStack).hasWarning('/Dr/ReplicaProbe', Match.stringLikeRegexp(Warnings.SECRET_REPLICATION_UNKNOWN));
  });
});
