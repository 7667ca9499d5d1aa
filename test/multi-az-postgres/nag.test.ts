import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IsolatedVpc } from '../../src';
import { NAG_PACKS, acknowledgements, dbStack, newApp, newStack, record, synthWithNag } from '../util';

describe('compliance packs on a MultiAzPostgres with defaults', () => {
  test('zero unacknowledged findings from AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1 and the built-in rules', () => {
    const { app, stack } = dbStack();
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    const result = synthWithNag(app);
    record(stack);
    expect(result.findings).toEqual([]);
  });

  test('every acknowledgement the library makes is listed here, with a reason', () => {
    const { app } = dbStack();
    const acks = acknowledgements(app);
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'TestStack CloudFormation-Validate::W3010',
      'TestStack/Db/Instance AwsSolutions::AwsSolutions-RDS11',
      'TestStack/Db/Instance HIPAA.Security::HIPAA.Security-RDSInBackupPlan',
      'TestStack/Db/Instance NIST.800.53.R5::NIST.800.53.R5-RDSInBackupPlan',
      'TestStack/Db/Instance/MonitoringRole AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'TestStack/Network/Vpc HIPAA.Security::HIPAA.Security-VPCDefaultSecurityGroupClosed',
      'TestStack/Network/Vpc NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      'TestStack/Network/Vpc PCI.DSS.321::PCI.DSS.321-VPCDefaultSecurityGroupClosed',
    ]);
  });
});

describe('the compliance harness detects violations (negative control)', () => {
  // A plain aws-cdk-lib instance with its defaults: unencrypted, single-AZ, no IAM auth, no log exports, no
  // deletion protection, no rotation. If the harness reported nothing here, the zero above would prove nothing.
  const app = newApp();
  const stack = newStack(app);
  const net = new IsolatedVpc(stack, 'Network');
  new rds.DatabaseInstance(stack, 'Plain', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
    vpc: net.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    monitoringInterval: Duration.seconds(60),
  });
  const result = synthWithNag(app);
  const rules = new Set(result.findings.map((f) => f.ruleName));
  console.log([...rules].join('\n'));

  test.each(NAG_PACKS)('%s reports findings', (pack) => {
    expect(result.findings.filter((f) => f.pluginName === pack).length).toBeGreaterThan(0);
  });

  test('it reports the insecure defaults MultiAzPostgres fixes', () => {
    for (const rule of ['AwsSolutions-RDS2', 'AwsSolutions-RDS3', 'AwsSolutions-RDS10', 'AwsSolutions-SMG4',
      'HIPAA.Security-RDSStorageEncrypted', 'HIPAA.Security-RDSMultiAZSupport', 'NIST.800.53.R5-RDSLoggingEnabled[LogExport::postgresql]',
      'PCI.DSS.321-RDSStorageEncrypted', 'PCI.DSS.321-SecretsManagerUsingKMSKey']) {
      expect(rules).toContain(rule);
    }
  });

  test('each rule MultiAzPostgres acknowledges is one the packs really raise on an RDS instance', () => {
    for (const rule of ['AwsSolutions-RDS11', 'HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]']) {
      expect(rules).toContain(rule);
    }
  });
});
