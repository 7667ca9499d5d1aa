import { App, CfnOutput, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  CrossRegionReadReplica, CrossRegionReadReplicaProps, DbAlarmSet, ReplicationRole, FailoverRunbook, IsolatedVpc, ReplicaPromotion,
  Route53DbFailover, WritableProbe,
} from '../../src';
import {
  ACCOUNT, DR_REGION, DR_SECRET_KEY_ARN, ONCALL_EMAIL, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, record, synthWithNag, twoRegionApp,
} from '../util';

// After the failover runbook (or an operator) promoted the replica, CloudFormation must not be asked to promote it
// again: its handler calls PromoteReadReplica whenever SourceDBInstanceIdentifier leaves the template, and on a promoted
// instance that fails and its rollback is NotUpdatable. The reconciliation forgets the instance (Retain), imports it
// back under the same logical ID, then declares it PROMOTED. These tests pin each step's template.

const ENDPOINT = 'orders-dr.c9d8e7f6a5b4.us-west-2.rds.amazonaws.com';
const RESOURCE_ID = 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0';
const INSTANCE_ID = 'OrdersReplicaInstanceCF55CD40';

/** The DR stack with the replica and everything that reads it: alarms, probe, failover records, an output, a grant. */
function drStack(props: Partial<CrossRegionReadReplicaProps> = {}) {
  const { app, primaryStack, drStack: stack, primary, drNet } = twoRegionApp((scope) => ({
    secretName: 'orders-primary/master',
    secretReplicaRegions: [{ region: DR_REGION, encryptionKey: kms.Key.fromKeyArn(scope, 'DrSecretKey', DR_SECRET_KEY_ARN) }],
  }));
  const primaryNet = primaryStack.node.findChild('Network') as IsolatedVpc;
  const primaryAlarms = new DbAlarmSet(primaryStack, 'OrdersAlarms', { instance: primary, subscriberEmails: [ONCALL_EMAIL] });
  const primaryProbe = new WritableProbe(primaryStack, 'OrdersProbe', {
    instance: primary,
    credentials: primary.secret,
    vpc: primaryNet.vpc,
    awsApiEndpoints: [primaryNet.secretsManagerEndpoint, primaryNet.monitoringEndpoint],
    topic: primaryAlarms.topic,
  });
  const replica = new CrossRegionReadReplica(stack, 'OrdersReplica', {
    sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props,
  });
  // An alarm set reads the class from the instance's template; in the OUT_OF_BAND steps it must be told.
  const alarms = new DbAlarmSet(stack, 'ReplicaAlarms', {
    instance: replica, allocatedStorage: Size.gibibytes(100), instanceClass: replica.instanceClass, subscriberEmails: [ONCALL_EMAIL],
  });
  const probe = new WritableProbe(stack, 'ReplicaProbe', {
    instance: replica,
    credentials: secretsmanager.Secret.fromSecretAttributes(stack, 'ReplicatedSecret', {
      secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master`,
      encryptionKey: kms.Key.fromKeyArn(stack, 'SecretKey', DR_SECRET_KEY_ARN),
    }),
    vpc: drNet.vpc,
    awsApiEndpoints: [drNet.secretsManagerEndpoint, drNet.monitoringEndpoint],
    topic: alarms.topic,
  });
  const primaryVpc = ec2.Vpc.fromVpcAttributes(stack, 'PrimaryVpc', {
    vpcId: PRIMARY_VPC_ID, region: PRIMARY_REGION, availabilityZones: ['us-east-1a', 'us-east-1b'],
  });
  const failover = new Route53DbFailover(stack, 'Failover', {
    zoneName: 'orders.internal',
    vpcs: [drNet.vpc, primaryVpc],
    primary: {
      endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm, unreachableAlarm: primaryProbe.unreachableAlarm,
    },
    secondary: {
      endpointAddress: replica.endpoint.hostname,
      notWritableAlarm: probe.notWritableAlarm,
      unreachableAlarm: probe.unreachableAlarm,
      writableAlarm: probe.writableAlarm,
    },
  });
  new CfnOutput(stack, 'ReplicaEndpoint', { value: replica.endpoint.hostname });
  const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  replica.grantConnect(appRole, 'app');
  // Read on first use: the nag tests synthesize with the packs before any template is read.
  let template: Template | undefined;
  return { app, primaryStack, stack, replica, alarms, probe, failover, get template() { return template ??= record(stack); } };
}

/**
 * The packs' unacknowledged findings on the library's resources. The fixture's application role (`Dr/AppRole`, whose
 * inline policy grantConnect writes) is the application's, and the packs' IAMNoInlinePolicy rules are the app's to settle.
 */
function libraryFindings(app: App) {
  return synthWithNag(app).findings.filter((f) => !f.constructPath.startsWith('Dr/AppRole/'));
}

const LIVE = { endpointAddress: ENDPOINT, resourceId: RESOURCE_ID };
const replicaStep = drStack();
const detachStep = drStack({ promotion: ReplicaPromotion.OUT_OF_BAND_DETACH, promotedInstance: LIVE });
const importStep = drStack({ promotion: ReplicaPromotion.OUT_OF_BAND_IMPORT, promotedInstance: LIVE });
const promotedStep = drStack({ promotion: ReplicaPromotion.PROMOTED });

const resources = (t: Template) => t.toJSON().Resources as Record<string, any>;
const without = (r: Record<string, any>, id: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== id));

/** Every logical ID that a Ref, Fn::GetAtt, Fn::Sub or DependsOn names, parameters and pseudo parameters aside. */
function referencedIds(template: any): Set<string> {
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'Ref' && typeof value === 'string' && !value.startsWith('AWS::')) {
          ids.add(value);
        } else if (key === 'Fn::GetAtt' && Array.isArray(value)) {
          ids.add(String(value[0]));
        } else if (key === 'Fn::Sub') {
          const text = Array.isArray(value) ? String(value[0]) : String(value);
          for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) {
            if (!m[1].startsWith('AWS')) ids.add(m[1]);
          }
        } else if (key === 'DependsOn') {
          (Array.isArray(value) ? value : [value]).forEach((v) => ids.add(String(v)));
        }
        walk(value);
      }
    }
  };
  walk(template.Resources);
  walk(template.Outputs);
  return ids;
}

describe('step 1: the deployed replica is retained when it leaves the template', () => {
  test('DeletionPolicy and UpdateReplacePolicy are Retain by default', () => {
    const r = resources(replicaStep.template)[INSTANCE_ID];
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
    expect(r.Properties.SourceDBInstanceIdentifier).toBe('arn:aws:rds:us-east-1:111111111111:db:orders-primary');
  });
});

describe('step 2: OUT_OF_BAND_DETACH leaves the instance out and keeps everything else working', () => {
  const before = resources(replicaStep.template);
  const after = resources(detachStep.template);

  test('no DB instance in the template; every other logical ID of the replica step is still there', () => {
    expect(Object.keys(detachStep.template.findResources('AWS::RDS::DBInstance'))).toEqual([]);
    const kept = Object.keys(before).filter((id) => id !== INSTANCE_ID);
    // The replica's ReplicaLag alarm goes: the instance is a primary now.
    const gone = kept.filter((id) => !(id in after));
    expect(gone.every((id) => before[id].Type === 'AWS::CloudWatch::Alarm' && /ReplicaLag/.test(id))).toBe(true);
    expect(gone.length).toBeLessThanOrEqual(1);
  });

  test.each([
    ['AWS::KMS::Key', 'OrdersReplicaKey'],
    ['AWS::Logs::LogGroup', 'OrdersReplicaPostgresqlLogGroup'],
    ['AWS::Logs::LogGroup', 'OrdersReplicaUpgradeLogGroup'],
    ['AWS::RDS::DBParameterGroup', 'OrdersReplicaParameterGroup'],
    ['AWS::RDS::DBSubnetGroup', 'OrdersReplicaInstanceSubnetGroup'],
    ['AWS::IAM::Role', 'OrdersReplicaInstanceMonitoringRole'],
    ['AWS::EC2::SecurityGroup', 'OrdersReplicaSecurityGroup'],
  ])('%s %s stays, unchanged (same logical ID, properties and policies)', (type, prefix) => {
    const ids = Object.keys(before).filter((id) => id.startsWith(prefix) && before[id].Type === type);
    expect(ids).toHaveLength(1);
    expect(after[ids[0]]).toEqual(before[ids[0]]);
  });

  test('nothing refers to a resource that is not in the template', () => {
    const json = detachStep.template.toJSON();
    const missing = [...referencedIds(json)].filter((id) => !(id in json.Resources) && !(id in (json.Parameters ?? {})));
    expect(missing).toEqual([]);
  });

  test('the probe, the secondary records, the output and the grant use the live instance literals', () => {
    detachStep.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { DB_HOST: ENDPOINT } },
    });
    const recordValues = Object.values(detachStep.template.findResources('AWS::Route53::RecordSet'))
      .filter((r: any) => r.Properties.Failover === 'SECONDARY').map((r: any) => r.Properties.ResourceRecords);
    expect(recordValues.length).toBeGreaterThan(0);
    expect(recordValues.every((v) => JSON.stringify(v) === JSON.stringify([ENDPOINT]))).toBe(true);
    expect(detachStep.template.toJSON().Outputs.ReplicaEndpoint.Value).toBe(ENDPOINT);
    expect(JSON.stringify(detachStep.template.findResources('AWS::IAM::Policy'))).toContain(`dbuser:${RESOURCE_ID}/app`);
  });

  test('alarms and probe name the same identifier; the alarm set treats the instance as a primary', () => {
    expect(detachStep.alarms.replicationRole).toBe(ReplicationRole.PRIMARY);
    expect(detachStep.replica.instanceIdentifier).toBe('orders-dr');
    expect(detachStep.replica.promoted).toBe(true);
    expect(detachStep.replica.promotion).toBe(ReplicaPromotion.OUT_OF_BAND_DETACH);
  });

  test('the four packs report nothing unacknowledged', () => {
    expect(libraryFindings(drStack({ promotion: ReplicaPromotion.OUT_OF_BAND_DETACH, promotedInstance: LIVE }).app)).toEqual([]);
  });
});

describe('step 3: OUT_OF_BAND_IMPORT adds the promoted instance and changes nothing else (what `cdk import` accepts)', () => {
  const detached = resources(detachStep.template);
  const imported = resources(importStep.template);

  test('the template is step 2 plus one resource, under the replica logical ID', () => {
    expect(Object.keys(imported).filter((id) => !(id in detached))).toEqual([INSTANCE_ID]);
    expect(without(imported, INSTANCE_ID)).toEqual(detached);
    expect(importStep.template.toJSON().Outputs).toEqual(detachStep.template.toJSON().Outputs);
  });

  test('the imported instance: Retain, the literal identifier, no source, backups on', () => {
    const r = imported[INSTANCE_ID];
    expect(r.Type).toBe('AWS::RDS::DBInstance');
    expect(r.DeletionPolicy).toBe('Retain');
    expect(r.UpdateReplacePolicy).toBe('Retain');
    expect(r.Properties.DBInstanceIdentifier).toBe('orders-dr');
    expect(r.Properties.SourceDBInstanceIdentifier).toBeUndefined();
    expect(r.Properties.BackupRetentionPeriod).toBe(35);
    expect(r.Properties.StorageEncrypted).toBeUndefined();
  });

  test('it is declared exactly as PROMOTED declares it, so the next deploy changes nothing on the instance', () => {
    expect(imported[INSTANCE_ID]).toEqual(resources(promotedStep.template)[INSTANCE_ID]);
  });

  test('apart from the source and the backups, the instance is the replica of step 1', () => {
    const { SourceDBInstanceIdentifier: _s, BackupRetentionPeriod: _rb, ...replicaProps } = resources(replicaStep.template)[INSTANCE_ID].Properties;
    const { BackupRetentionPeriod: _b, ...importProps } = imported[INSTANCE_ID].Properties;
    expect(importProps).toEqual(replicaProps);
  });

  test('the four packs report nothing unacknowledged', () => {
    expect(libraryFindings(drStack({ promotion: ReplicaPromotion.OUT_OF_BAND_IMPORT, promotedInstance: LIVE }).app)).toEqual([]);
  });
});

describe('step 4: PROMOTED reads the instance again', () => {
  test('the dependents refer to the instance, not to literals', () => {
    const t = promotedStep.template;
    expect(t.toJSON().Outputs.ReplicaEndpoint.Value).toEqual({ 'Fn::GetAtt': [INSTANCE_ID, 'Endpoint.Address'] });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { DB_HOST: { 'Fn::GetAtt': [INSTANCE_ID, 'Endpoint.Address'] } } },
    });
  });
});

describe('combinations refused at synth', () => {
  test.each([
    ['DETACH without the live instance', { promotion: ReplicaPromotion.OUT_OF_BAND_DETACH },
      'CrossRegionReadReplica: invalid promotedInstance.endpointAddress (unset): the literal endpoint address of the live instance, orders-dr.<id>.us-west-2.rds.amazonaws.com'],
    ['IMPORT with another instance\'s endpoint', {
      promotion: ReplicaPromotion.OUT_OF_BAND_IMPORT,
      promotedInstance: { endpointAddress: 'orders-primary.c9d8e7f6a5b4.us-east-1.rds.amazonaws.com' },
    }, "invalid promotedInstance.endpointAddress 'orders-primary.c9d8e7f6a5b4.us-east-1.rds.amazonaws.com'"],
    ['a resource ID that is not one', {
      promotion: ReplicaPromotion.OUT_OF_BAND_DETACH, promotedInstance: { endpointAddress: ENDPOINT, resourceId: 'orders-dr' },
    }, "invalid promotedInstance.resourceId 'orders-dr'"],
    ['the live instance while the template declares it', { promotion: ReplicaPromotion.PROMOTED, promotedInstance: LIVE },
      `invalid promotedInstance '${ENDPOINT}': unset while promotion is PROMOTED`],
    ['the live instance on a replica', { promotedInstance: LIVE }, 'unset while promotion is REPLICA'],
    ['DETACH with removal policy DESTROY', {
      promotion: ReplicaPromotion.OUT_OF_BAND_DETACH, promotedInstance: LIVE, removalPolicy: RemovalPolicy.DESTROY,
    }, "invalid removalPolicy 'destroy': RETAIN (or RETAIN_ON_UPDATE_OR_DELETE) while promotion is OUT_OF_BAND_DETACH"],
    ['IMPORT with removal policy SNAPSHOT', {
      promotion: ReplicaPromotion.OUT_OF_BAND_IMPORT, promotedInstance: LIVE, removalPolicy: RemovalPolicy.SNAPSHOT,
    }, "invalid removalPolicy 'snapshot'"],
    ['both promoted and promotion', { promoted: true, promotion: ReplicaPromotion.PROMOTED },
      'invalid promoted true: unset when promotion is given (PROMOTED)'],
  ] as Array<[string, Partial<CrossRegionReadReplicaProps>, string]>)('%s', (_name, props, message) => {
    expect(() => drStack(props)).toThrow(message);
  });

  test('grantConnect without the resource ID while the template does not read it', () => {
    const { drStack: stack, primary, drNet } = twoRegionApp();
    const replica = new CrossRegionReadReplica(stack, 'OrdersReplica', {
      sourceInstance: primary,
      vpc: drNet.vpc,
      instanceIdentifier: 'orders-dr',
      promotion: ReplicaPromotion.OUT_OF_BAND_DETACH,
      promotedInstance: { endpointAddress: ENDPOINT },
    });
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    expect(() => replica.grantConnect(role, 'app')).toThrow('CrossRegionReadReplica: invalid promotedInstance.resourceId (unset)');
  });

  test.each([ReplicaPromotion.OUT_OF_BAND_DETACH, ReplicaPromotion.OUT_OF_BAND_IMPORT, ReplicaPromotion.PROMOTED])(
    'the failover runbook refuses a replica declared %s (it must leave the DR stack in that change)', (promotion) => {
      const outOfBand = promotion !== ReplicaPromotion.PROMOTED;
      const step = drStack({ promotion, promotedInstance: outOfBand ? LIVE : undefined });
      expect(() => new FailoverRunbook(step.stack, 'Runbook', {
        replica: step.replica, topic: step.alarms.topic, topicKey: step.alarms.topicKey, failover: step.failover,
      })).toThrow("FailoverRunbook: invalid replica 'Dr/OrdersReplica'");
    });
});
