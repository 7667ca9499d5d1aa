/**
 * Which of the feature flags of examples/cdk.json change the templates of the reference app (examples/typescript/app.ts),
 * measured: docs/deploying.md ("Feature flags") reports this finding. The app is synthesized without any flag, with
 * the example's flags, and with the three flags below only; the other entries of the context (the cached Availability
 * Zones) stay.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

// The example imports the package; here it is the library's source.
jest.mock('cdk-resilient-postgres', () => jest.requireActual('../../src'), { virtual: true });
// eslint-disable-next-line import/order
import { defineApp } from '../../examples/typescript/app';

type Template = { Resources: Record<string, { Type: string }>; Outputs?: Record<string, unknown> };

const CONTEXT: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'cdk.json'), 'utf-8')).context;
const FLAGS = Object.fromEntries(Object.entries(CONTEXT).filter(([key]) => key.startsWith('@aws-cdk')));
const OTHER = Object.fromEntries(Object.entries(CONTEXT).filter(([key]) => !key.startsWith('@aws-cdk')));

/** The flags that change the library's templates. */
const TEMPLATE_FLAGS = [
  '@aws-cdk/core:enablePartitionLiterals',
  '@aws-cdk/aws-iam:minimizePolicies',
  '@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments',
];

function synth(context: Record<string, unknown>): Record<string, Template> {
  const app = new App({ context });
  const stacks = defineApp(app);
  const assembly = app.synth();
  return Object.fromEntries(stacks.map((stack) => [stack.stackName, assembly.getStackByName(stack.stackName).template as Template]));
}

/** `<stack>/<logical ID> <type>` of each resource or output that differs, `(only in a)` / `(only in b)` where one lacks it. */
function differences(a: Record<string, Template>, b: Record<string, Template>): string[] {
  const found: string[] = [];
  for (const stack of Object.keys(a)) {
    for (const section of ['Resources', 'Outputs'] as const) {
      const left = (a[stack][section] ?? {}) as Record<string, { Type?: string }>;
      const right = (b[stack][section] ?? {}) as Record<string, { Type?: string }>;
      for (const id of new Set([...Object.keys(left), ...Object.keys(right)])) {
        if (JSON.stringify(left[id]) !== JSON.stringify(right[id])) {
          const where = left[id] === undefined ? ' (only in b)' : right[id] === undefined ? ' (only in a)' : '';
          found.push(`${stack}/${id} ${(left[id] ?? right[id]).Type ?? 'Output'}${where}`);
        }
      }
    }
  }
  return found.sort();
}

const withoutFlags = synth(OTHER);
const withFlags = synth(CONTEXT);

test('the example sets the three flags', () => {
  for (const flag of TEMPLATE_FLAGS) {
    expect(FLAGS[flag]).toBe(true);
  }
});

test('with the three flags alone, the templates are those with all the example\'s flags', () => {
  const three = synth({ ...OTHER, ...Object.fromEntries(TEMPLATE_FLAGS.map((flag) => [flag, true])) });
  expect(differences(three, withFlags)).toEqual([]);
});

test('without any flag, these resources differ (and no output, and nothing else)', () => {
  expect(differences(withoutFlags, withFlags)).toEqual([
    'OrdersDr/OrdersNetworkFlowLogKey32E7A3F9 AWS::KMS::Key',
    'OrdersDr/OrdersNetworkFlowLogPolicy6354CBFE AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRegionDrillDrillPolicyE2A35EC2 AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRegionDrillLogKeyAEFDB4D5 AWS::KMS::Key',
    'OrdersDr/OrdersRegionDrillLoggingAndTracingPolicy18E1E993 AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRegionDrillPromotionRolePolicy657696EC AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersReplicaAlarmsTopicKeyB2CAB984 AWS::KMS::Key',
    'OrdersDr/OrdersReplicaAlarmsTopicPolicyC0DAFB44 AWS::SNS::TopicPolicy',
    'OrdersDr/OrdersReplicaInstanceMonitoringRole36715921 AWS::IAM::Role',
    'OrdersDr/OrdersReplicaKeyF369536F AWS::KMS::Key',
    'OrdersDr/OrdersReplicaProbeFunctionE9CB35A5 AWS::Lambda::Function',
    'OrdersDr/OrdersReplicaProbeLogKey4FA12574 AWS::KMS::Key',
    'OrdersDr/OrdersReplicaProbePolicy444F69E0 AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRunbookLogKey60110023 AWS::KMS::Key',
    'OrdersDr/OrdersRunbookLoggingAndTracingPolicyA9324476 AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRunbookPromotionRolePolicy6A727B69 AWS::IAM::ManagedPolicy',
    'OrdersDr/OrdersRunbookStartDeadLetterKey481CDC39 AWS::KMS::Key',
    'OrdersDr/OrdersRunbookStateMachine9A864F9D AWS::StepFunctions::StateMachine',
    'OrdersDrFoundation/BackupVaultKey74395416 AWS::KMS::Key',
    'OrdersDrFoundation/SecretKey4276072C AWS::KMS::Key',
    'OrdersPrimary/OrdersAzDrillExperimentTemplateCB0D8E7B AWS::FIS::ExperimentTemplate',
    'OrdersPrimary/OrdersAzDrillLogKeyEF1F1ED8 AWS::KMS::Key',
    'OrdersPrimary/OrdersAzDrillMeasurementPolicy6379B878 AWS::IAM::ManagedPolicy',
    'OrdersPrimary/OrdersAzDrillPolicy802ADAB3 AWS::IAM::ManagedPolicy',
    'OrdersPrimary/OrdersAzDrillRole14313F5C AWS::IAM::Role',
    'OrdersPrimary/OrdersBackupsPlanSelection8E1D2E40 AWS::Backup::BackupSelection',
    'OrdersPrimary/OrdersBackupsVaultKey7EE2D923 AWS::KMS::Key',
    'OrdersPrimary/OrdersNetworkFlowLogKey32E7A3F9 AWS::KMS::Key',
    'OrdersPrimary/OrdersNetworkFlowLogPolicy6354CBFE AWS::IAM::ManagedPolicy',
    'OrdersPrimary/OrdersPrimaryAlarmsTopicKeyE3CFAA55 AWS::KMS::Key',
    'OrdersPrimary/OrdersPrimaryAlarmsTopicPolicy963F8C0B AWS::SNS::TopicPolicy',
    'OrdersPrimary/OrdersPrimaryInstanceMonitoringRole0C37DF8C AWS::IAM::Role',
    'OrdersPrimary/OrdersPrimaryKey1D77C87A AWS::KMS::Key',
    'OrdersPrimary/OrdersPrimaryProbeLogKey1166AAC6 AWS::KMS::Key',
    'OrdersPrimary/OrdersPrimaryProbePolicyE23BD3BC AWS::IAM::ManagedPolicy',
    // useAttachedSecretResourcePolicyForSecretTargetAttachments: the secret's resource policy under another logical ID.
    'OrdersPrimary/OrdersPrimarySecretAttachmentPolicy71DF43B5 AWS::SecretsManager::ResourcePolicy (only in a)',
    'OrdersPrimary/OrdersPrimarySecretPolicy8B0CD1AC AWS::SecretsManager::ResourcePolicy (only in b)',
  ]);
});

test('the stateful resources are the same with and without the flags', () => {
  for (const type of ['AWS::RDS::DBInstance', 'AWS::SecretsManager::Secret', 'AWS::Backup::BackupVault', 'AWS::Logs::LogGroup',
    'AWS::EC2::VPC', 'AWS::Route53::HostedZone', 'AWS::RDS::DBSubnetGroup', 'AWS::RDS::DBParameterGroup']) {
    for (const stack of Object.keys(withFlags)) {
      const of = (t: Template) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
      expect(of(withoutFlags[stack])).toEqual(of(withFlags[stack]));
    }
  }
});

test('per flag, the number of resources it changes is the figure docs/deploying.md gives', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'deploying.md'), 'utf-8');
  for (const flag of TEMPLATE_FLAGS) {
    const changed = differences(synth(OTHER), synth({ ...OTHER, [flag]: true })).filter((d) => !d.endsWith('(only in b)'));
    expect(doc).toContain(`| \`${flag}\` |`);
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${flag}\` |`))!;
    expect(`${flag}: ${row.split('|')[3].trim().split(':')[0].split(' ')[0]}`).toBe(`${flag}: ${changed.length}`);
  }
});
