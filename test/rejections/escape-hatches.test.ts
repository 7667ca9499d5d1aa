import { App, CfnParameter, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  CrossRegionReadReplica, CrossRegionReadReplicaProps, IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps, ReplicaPromotion, TlsVersion,
} from '../../src';
import { newApp, newStack, twoRegionApp } from '../util';

/**
 * Escape hatches must not undo a default that a prop guards: the final template is checked at `app.synth()`, after
 * every override, and an undone default is rejected with a message that names the setting and the prop that opts out.
 */

const OTHER_KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/2b7c9e1d-4f3a-4c8b-9d6e-0a1b2c3d4e5f';
const OTHER_DR_KEY_ARN = 'arn:aws:kms:us-west-2:111111111111:key/2b7c9e1d-4f3a-4c8b-9d6e-0a1b2c3d4e5f';

function cfnOf(construct: { node: { defaultChild?: unknown } }): CfnResource {
  return construct.node.defaultChild as CfnResource;
}

function instanceOf(db: MultiAzPostgres | CrossRegionReadReplica): rds.CfnDBInstance {
  return db.instance.node.defaultChild as rds.CfnDBInstance;
}

function groupOf(db: MultiAzPostgres | CrossRegionReadReplica): rds.CfnDBParameterGroup {
  return db.parameterGroup.node.defaultChild as rds.CfnDBParameterGroup;
}

/** The app with one database, built with `props`, then changed by `hatch`. */
type Build<P, D> = (app: App, props: Partial<P>, hatch?: (db: D) => void) => void;

const buildMultiAz: Build<MultiAzPostgresProps, MultiAzPostgres> = (app, props, hatch) => {
  const stack = newStack(app);
  const net = new IsolatedVpc(stack, 'Network');
  const db = new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, ...props });
  hatch?.(db);
};

const buildReplica: Build<CrossRegionReadReplicaProps, CrossRegionReadReplica> = (app, props, hatch) => {
  const { drStack, primary, drNet } = twoRegionApp({}, app);
  const replica = new CrossRegionReadReplica(drStack, 'OrdersReplica', {
    sourceInstance: primary, vpc: drNet.vpc, instanceIdentifier: 'orders-dr', ...props,
  });
  hatch?.(replica);
};

/** One escape hatch that undoes a guarded setting, and a variant that is accepted (the opt-in prop, or a value that keeps the setting). */
interface Row<P, D> {
  readonly name: string;
  /** Props the rejected case is built with. */
  readonly props?: Partial<P>;
  readonly hatch: (db: D) => void;
  /** The setting and the value as the message shows them, and what the message names as the way to opt in. */
  readonly what: string;
  readonly shown: string;
  readonly optIn: string;
  /** The accepted variant: props (an opt-in) and a hatch. */
  readonly accepted: { readonly props?: Partial<P>; readonly hatch?: (db: D) => void };
}

type MultiAzRow = Row<MultiAzPostgresProps, MultiAzPostgres>;
type ReplicaRow = Row<CrossRegionReadReplicaProps, CrossRegionReadReplica>;

const TLS_OFF = { enforceTls: false, acknowledgeTlsNotEnforced: true };
const DESTROY_ALL = { removalPolicy: RemovalPolicy.DESTROY, keyRemovalPolicy: RemovalPolicy.DESTROY };

const MULTI_AZ_ROWS: MultiAzRow[] = [
  {
    name: 'rds.force_ssl=0 through parameterGroup.addParameter',
    hatch: (db) => db.parameterGroup.addParameter('rds.force_ssl', '0'),
    what: 'parameter rds.force_ssl',
    shown: "'0'",
    optIn: 'set enforceTls: false',
    accepted: { props: TLS_OFF, hatch: (db) => db.parameterGroup.addParameter('rds.force_ssl', '0') },
  },
  {
    name: 'rds.force_ssl=0 through an override of the CfnDBParameterGroup',
    hatch: (db) => groupOf(db).addPropertyOverride('Parameters.rds\\.force_ssl', '0'),
    what: 'parameter rds.force_ssl',
    shown: "'0'",
    optIn: 'set enforceTls: false',
    accepted: { props: TLS_OFF, hatch: (db) => groupOf(db).addPropertyOverride('Parameters.rds\\.force_ssl', '0') },
  },
  {
    name: 'rds.force_ssl removed from the CfnDBParameterGroup',
    hatch: (db) => groupOf(db).addPropertyDeletionOverride('Parameters.rds\\.force_ssl'),
    what: 'parameter rds.force_ssl',
    shown: '(unset)',
    optIn: 'set enforceTls: false',
    accepted: { props: TLS_OFF, hatch: (db) => groupOf(db).addPropertyDeletionOverride('Parameters.rds\\.force_ssl') },
  },
  {
    name: 'the instance pointed at another parameter group of the stack with rds.force_ssl=0',
    hatch: (db) => instanceOf(db).addPropertyOverride('DBParameterGroupName', new rds.CfnDBParameterGroup(Stack.of(db), 'Plain', {
      family: 'postgres18', description: 'plain', parameters: { 'rds.force_ssl': '0', 'ssl_min_protocol_version': 'TLSv1.2' },
    }).ref),
    what: 'parameter rds.force_ssl',
    shown: "'0'",
    optIn: 'set enforceTls: false',
    accepted: {
      props: TLS_OFF,
      hatch: (db) => instanceOf(db).addPropertyOverride('DBParameterGroupName', new rds.CfnDBParameterGroup(Stack.of(db), 'Plain', {
        family: 'postgres18', description: 'plain', parameters: { 'rds.force_ssl': '0', 'ssl_min_protocol_version': 'TLSv1.2' },
      }).ref),
    },
  },
  {
    name: 'the parameter group removed from the instance',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('DBParameterGroupName'),
    what: 'DBParameterGroupName',
    shown: '(unset)',
    optIn: 'no prop changes it',
    // A group named by a literal is not in the template, so it is not checked.
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('DBParameterGroupName', 'orders-managed-elsewhere') },
  },
  {
    name: 'ssl_min_protocol_version lowered to TLSv1.1',
    hatch: (db) => db.parameterGroup.addParameter('ssl_min_protocol_version', 'TLSv1.1'),
    what: 'parameter ssl_min_protocol_version',
    shown: "'TLSv1.1'",
    optIn: 'set minimumTlsVersion',
    accepted: { hatch: (db) => db.parameterGroup.addParameter('ssl_min_protocol_version', 'TLSv1.3') },
  },
  {
    name: 'ssl_min_protocol_version below minimumTlsVersion TLS_1_3',
    props: { minimumTlsVersion: TlsVersion.TLS_1_3 },
    hatch: (db) => groupOf(db).addPropertyOverride('Parameters.ssl_min_protocol_version', 'TLSv1.2'),
    what: 'parameter ssl_min_protocol_version',
    shown: "'TLSv1.2'",
    optIn: 'set minimumTlsVersion',
    accepted: {
      props: { minimumTlsVersion: TlsVersion.TLS_1_2 },
      hatch: (db) => groupOf(db).addPropertyOverride('Parameters.ssl_min_protocol_version', 'TLSv1.2'),
    },
  },
  {
    name: 'StorageEncrypted false',
    hatch: (db) => instanceOf(db).addPropertyOverride('StorageEncrypted', false),
    what: 'StorageEncrypted',
    shown: 'false',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('StorageEncrypted', true) },
  },
  {
    name: 'KmsKeyId removed (the AWS-managed aws/rds key)',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('KmsKeyId'),
    what: 'KmsKeyId',
    shown: '(unset)',
    optIn: 'give another key through encryptionKey',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('KmsKeyId', OTHER_KEY_ARN) },
  },
  {
    name: 'PubliclyAccessible true',
    hatch: (db) => { instanceOf(db).publiclyAccessible = true; },
    what: 'PubliclyAccessible',
    shown: 'true',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => { instanceOf(db).publiclyAccessible = false; } },
  },
  {
    name: 'DeletionProtection false',
    hatch: (db) => { instanceOf(db).deletionProtection = false; },
    what: 'DeletionProtection',
    shown: 'false',
    optIn: 'set deletionProtection: false',
    accepted: { props: { deletionProtection: false }, hatch: (db) => { instanceOf(db).deletionProtection = false; } },
  },
  {
    name: 'BackupRetentionPeriod 0',
    hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 0),
    what: 'BackupRetentionPeriod',
    shown: '0',
    optIn: 'set backupRetention',
    accepted: { props: { backupRetention: Duration.days(7) }, hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 14) },
  },
  {
    name: 'BackupRetentionPeriod below backupRetention',
    props: { backupRetention: Duration.days(14) },
    hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 7),
    what: 'BackupRetentionPeriod',
    shown: '7',
    optIn: 'set backupRetention',
    accepted: { props: { backupRetention: Duration.days(7) }, hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 7) },
  },
  {
    name: 'DeleteAutomatedBackups true',
    hatch: (db) => instanceOf(db).addPropertyOverride('DeleteAutomatedBackups', true),
    what: 'DeleteAutomatedBackups',
    shown: 'true',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('DeleteAutomatedBackups', false) },
  },
  {
    name: 'MultiAZ false',
    hatch: (db) => instanceOf(db).addPropertyOverride('MultiAZ', false),
    what: 'MultiAZ',
    shown: 'false',
    optIn: 'set multiAz: false (with acknowledgeSingleAz: true)',
    accepted: { props: { multiAz: false, acknowledgeSingleAz: true }, hatch: (db) => instanceOf(db).addPropertyOverride('MultiAZ', false) },
  },
  {
    name: 'CopyTagsToSnapshot removed',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('CopyTagsToSnapshot'),
    what: 'CopyTagsToSnapshot',
    shown: '(unset)',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('CopyTagsToSnapshot', true) },
  },
  {
    name: 'EnableIAMDatabaseAuthentication false',
    hatch: (db) => instanceOf(db).addPropertyOverride('EnableIAMDatabaseAuthentication', false),
    what: 'EnableIAMDatabaseAuthentication',
    shown: 'false',
    optIn: 'set iamAuthentication: false',
    accepted: { props: { iamAuthentication: false }, hatch: (db) => instanceOf(db).addPropertyOverride('EnableIAMDatabaseAuthentication', false) },
  },
  {
    name: 'the postgresql log export dropped',
    hatch: (db) => instanceOf(db).addPropertyOverride('EnableCloudwatchLogsExports', ['upgrade']),
    what: 'EnableCloudwatchLogsExports',
    shown: '\'["upgrade"]\'',
    optIn: 'no prop turns the exports off',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('EnableCloudwatchLogsExports', ['upgrade', 'postgresql']) },
  },
  {
    name: 'EnablePerformanceInsights false',
    hatch: (db) => instanceOf(db).addPropertyOverride('EnablePerformanceInsights', false),
    what: 'EnablePerformanceInsights',
    shown: 'false',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('EnablePerformanceInsights', true) },
  },
  {
    name: 'PerformanceInsightsKMSKeyId removed (the AWS-managed key)',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('PerformanceInsightsKMSKeyId'),
    what: 'PerformanceInsightsKMSKeyId',
    shown: '(unset)',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('PerformanceInsightsKMSKeyId', OTHER_KEY_ARN) },
  },
  {
    name: 'AutoMinorVersionUpgrade false',
    hatch: (db) => { instanceOf(db).autoMinorVersionUpgrade = false; },
    what: 'AutoMinorVersionUpgrade',
    shown: 'false',
    optIn: 'set autoMinorVersionUpgrade: false',
    accepted: { props: { autoMinorVersionUpgrade: false }, hatch: (db) => { instanceOf(db).autoMinorVersionUpgrade = false; } },
  },
  {
    name: 'the instance deleted with the stack (applyRemovalPolicy DESTROY)',
    hatch: (db) => instanceOf(db).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy',
    shown: "'Delete'",
    optIn: 'set removalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: { removalPolicy: RemovalPolicy.DESTROY }, hatch: (db) => instanceOf(db).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
  {
    name: 'the instance deleted with the stack (DeletionPolicy override)',
    hatch: (db) => instanceOf(db).addOverride('DeletionPolicy', 'Delete'),
    what: 'DeletionPolicy',
    shown: "'Delete'",
    optIn: 'set removalPolicy: RemovalPolicy.DESTROY',
    accepted: { hatch: (db) => instanceOf(db).addOverride('DeletionPolicy', 'Retain') },
  },
  {
    name: 'the key deleted with the stack',
    hatch: (db) => cfnOf(db.encryptionKey).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy of TestStack/Db/Key',
    shown: "'Delete'",
    optIn: 'set keyRemovalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: DESTROY_ALL, hatch: (db) => cfnOf(db.encryptionKey).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
  {
    name: 'the master secret deleted with the stack',
    hatch: (db) => cfnOf(db.node.findChild('Secret')).addOverride('DeletionPolicy', 'Delete'),
    what: 'DeletionPolicy of TestStack/Db/Secret',
    shown: "'Delete'",
    optIn: 'set keyRemovalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: DESTROY_ALL, hatch: (db) => cfnOf(db.node.findChild('Secret')).addOverride('DeletionPolicy', 'Delete') },
  },
  {
    name: 'a log group deleted with the stack',
    hatch: (db) => cfnOf(db.logGroups.postgresql).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy of TestStack/Db/PostgresqlLogGroup',
    shown: "'Delete'",
    optIn: 'set keyRemovalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: DESTROY_ALL, hatch: (db) => cfnOf(db.logGroups.postgresql).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
  {
    name: 'the master secret under the AWS-managed aws/secretsmanager key',
    hatch: (db) => cfnOf(db.node.findChild('Secret')).addPropertyDeletionOverride('KmsKeyId'),
    what: 'secret KmsKeyId',
    shown: '(unset)',
    optIn: 'give another key through encryptionKey',
    accepted: { hatch: (db) => cfnOf(db.node.findChild('Secret')).addPropertyOverride('KmsKeyId', OTHER_KEY_ARN) },
  },
];

const REPLICA_ROWS: ReplicaRow[] = [
  {
    name: 'rds.force_ssl=0 through parameterGroup.addParameter',
    hatch: (db) => db.parameterGroup.addParameter('rds.force_ssl', '0'),
    what: 'parameter rds.force_ssl',
    shown: "'0'",
    optIn: 'set enforceTls: false',
    accepted: { props: TLS_OFF, hatch: (db) => db.parameterGroup.addParameter('rds.force_ssl', '0') },
  },
  {
    name: 'ssl_min_protocol_version lowered to TLSv1',
    hatch: (db) => groupOf(db).addPropertyOverride('Parameters.ssl_min_protocol_version', 'TLSv1'),
    what: 'parameter ssl_min_protocol_version',
    shown: "'TLSv1'",
    optIn: 'set minimumTlsVersion',
    accepted: { hatch: (db) => groupOf(db).addPropertyOverride('Parameters.ssl_min_protocol_version', 'TLSv1.3') },
  },
  {
    name: 'StorageEncrypted false',
    hatch: (db) => instanceOf(db).addPropertyOverride('StorageEncrypted', false),
    what: 'StorageEncrypted',
    shown: 'false',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('KmsKeyId', OTHER_DR_KEY_ARN) },
  },
  {
    name: 'KmsKeyId removed',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('KmsKeyId'),
    what: 'KmsKeyId',
    shown: '(unset)',
    optIn: 'give another key through encryptionKey',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('KmsKeyId', OTHER_DR_KEY_ARN) },
  },
  {
    name: 'PubliclyAccessible true',
    hatch: (db) => instanceOf(db).addPropertyOverride('PubliclyAccessible', true),
    what: 'PubliclyAccessible',
    shown: 'true',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('PubliclyAccessible', false) },
  },
  {
    name: 'DeletionProtection false',
    hatch: (db) => instanceOf(db).addPropertyOverride('DeletionProtection', false),
    what: 'DeletionProtection',
    shown: 'false',
    optIn: 'set deletionProtection: false',
    accepted: { props: { deletionProtection: false }, hatch: (db) => instanceOf(db).addPropertyOverride('DeletionProtection', false) },
  },
  {
    name: "the replica's backups turned off",
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('BackupRetentionPeriod'),
    what: 'BackupRetentionPeriod',
    shown: '(unset)',
    optIn: 'set replicaBackupRetention',
    accepted: {
      props: { replicaBackupRetention: Duration.days(0) },
      hatch: (db) => instanceOf(db).addPropertyDeletionOverride('BackupRetentionPeriod'),
    },
  },
  {
    name: "the promoted instance's backups shortened",
    props: { promotion: ReplicaPromotion.PROMOTED },
    hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 1),
    what: 'BackupRetentionPeriod',
    shown: '1',
    optIn: 'set promotedBackupRetention',
    accepted: {
      props: { promotion: ReplicaPromotion.PROMOTED, promotedBackupRetention: Duration.days(1) },
      hatch: (db) => instanceOf(db).addPropertyOverride('BackupRetentionPeriod', 1),
    },
  },
  {
    name: 'MultiAZ false',
    hatch: (db) => instanceOf(db).addPropertyOverride('MultiAZ', false),
    what: 'MultiAZ',
    shown: 'false',
    optIn: 'set multiAz: false',
    accepted: { props: { multiAz: false }, hatch: (db) => instanceOf(db).addPropertyOverride('MultiAZ', false) },
  },
  {
    name: 'EnableIAMDatabaseAuthentication false',
    hatch: (db) => instanceOf(db).addPropertyOverride('EnableIAMDatabaseAuthentication', false),
    what: 'EnableIAMDatabaseAuthentication',
    shown: 'false',
    optIn: 'set iamAuthentication: false',
    accepted: { props: { iamAuthentication: false }, hatch: (db) => instanceOf(db).addPropertyOverride('EnableIAMDatabaseAuthentication', false) },
  },
  {
    name: 'the postgresql log export dropped',
    hatch: (db) => instanceOf(db).addPropertyDeletionOverride('EnableCloudwatchLogsExports'),
    what: 'EnableCloudwatchLogsExports',
    shown: '(unset)',
    optIn: 'no prop turns the exports off',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('EnableCloudwatchLogsExports', ['postgresql', 'upgrade']) },
  },
  {
    name: 'EnablePerformanceInsights false',
    hatch: (db) => instanceOf(db).addPropertyOverride('EnablePerformanceInsights', false),
    what: 'EnablePerformanceInsights',
    shown: 'false',
    optIn: 'no prop changes it',
    accepted: { hatch: (db) => instanceOf(db).addPropertyOverride('EnablePerformanceInsights', true) },
  },
  {
    name: 'AutoMinorVersionUpgrade false',
    hatch: (db) => instanceOf(db).addPropertyOverride('AutoMinorVersionUpgrade', false),
    what: 'AutoMinorVersionUpgrade',
    shown: 'false',
    optIn: 'set autoMinorVersionUpgrade: false',
    accepted: { props: { autoMinorVersionUpgrade: false }, hatch: (db) => instanceOf(db).addPropertyOverride('AutoMinorVersionUpgrade', false) },
  },
  {
    name: 'the replica deleted with the stack',
    hatch: (db) => instanceOf(db).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy',
    shown: "'Delete'",
    optIn: 'set removalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: { removalPolicy: RemovalPolicy.DESTROY }, hatch: (db) => instanceOf(db).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
  {
    name: 'the key deleted with the stack',
    hatch: (db) => cfnOf(db.encryptionKey).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy of Dr/OrdersReplica/Key',
    shown: "'Delete'",
    optIn: 'set keyRemovalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: DESTROY_ALL, hatch: (db) => cfnOf(db.encryptionKey).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
  {
    name: 'a log group deleted with the stack',
    hatch: (db) => cfnOf(db.logGroups.upgrade).applyRemovalPolicy(RemovalPolicy.DESTROY),
    what: 'DeletionPolicy of Dr/OrdersReplica/UpgradeLogGroup',
    shown: "'Delete'",
    optIn: 'set keyRemovalPolicy: RemovalPolicy.DESTROY',
    accepted: { props: DESTROY_ALL, hatch: (db) => cfnOf(db.logGroups.upgrade).applyRemovalPolicy(RemovalPolicy.DESTROY) },
  },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cases<P, D>(construct: string, build: Build<P, D>, rows: Row<P, D>[]): void {
  describe.each([true, false])(`${construct} with %s for aws-cdk-lib template validation (validateAgainstDefaultRules)`, (validate) => {
    const app = () => newApp({ context: { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: validate } });

    test('the default app synthesizes', () => {
      const a = app();
      build(a, {});
      expect(() => a.synth()).not.toThrow();
    });

    test.each(rows.map((row): [string, Row<P, D>] => [row.name, row]))('%s is rejected at synth', (_name, row) => {
      const a = app();
      // The hatch is applied after the construct is built: nothing throws until the app synthesizes.
      expect(() => build(a, row.props ?? {}, row.hatch)).not.toThrow();
      expect(() => a.synth()).toThrow(new RegExp(`${escape(`${construct}: invalid ${row.what} ${row.shown}: `)}.*${escape(row.optIn)}`));
    });

    test.each(rows.map((row): [string, Row<P, D>] => [row.name, row]))('%s: the accepted variant synthesizes', (_name, row) => {
      const a = app();
      build(a, row.accepted.props ?? {}, row.accepted.hatch);
      expect(() => a.synth()).not.toThrow();
    });
  });
}

cases('MultiAzPostgres', buildMultiAz, MULTI_AZ_ROWS);
cases('CrossRegionReadReplica', buildReplica, REPLICA_ROWS);

describe('what is not checked', () => {
  test('a value that is a deploy-time token in the template', () => {
    const app = newApp();
    buildMultiAz(app, {}, (db) => {
      const stack = Stack.of(db);
      const param = new CfnParameter(stack, 'Protect', { type: 'String', default: 'true' });
      instanceOf(db).addPropertyOverride('DeletionProtection', param.valueAsString);
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('a replica being detached from the template (OUT_OF_BAND_DETACH) still has its parameter group checked', () => {
    const app = newApp();
    buildReplica(app, {
      promotion: ReplicaPromotion.OUT_OF_BAND_DETACH,
      promotedInstance: { endpointAddress: 'orders-dr.c9x8y7z6w5v4.us-west-2.rds.amazonaws.com' },
    }, (db) => db.parameterGroup.addParameter('rds.force_ssl', '0'));
    expect(() => app.synth()).toThrow(/CrossRegionReadReplica: invalid parameter rds.force_ssl '0'/);
  });
});
