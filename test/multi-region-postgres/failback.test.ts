import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FailbackOptions, FailbackPhase, ReplicaPromotion } from '../../src';
import { multiRegionIn } from '../rejections/builders';
import { DR_REGION, ONCALL_EMAIL, PRIMARY_REGION, newApp, newStack, record, synthWithNag } from '../util';

/** The endpoint addresses the operator reads from `aws rds describe-db-instances` or from the stack outputs. */
export const DR_ENDPOINT = 'orders-dr.c9d8e7f6a5b4.us-west-2.rds.amazonaws.com';
export const REPROTECT_ENDPOINT = 'orders-fb1.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';

/** Every step of the cycle primary → DR → primary, in deploy order. */
export const CYCLE: Array<[string, FailbackOptions | undefined]> = [
  ['initial', undefined],
  ['failed over: detach', { phase: FailbackPhase.FAILED_OVER, drPromotion: ReplicaPromotion.OUT_OF_BAND_DETACH, drPromotedInstance: { endpointAddress: DR_ENDPOINT } }],
  ['failed over: import', { phase: FailbackPhase.FAILED_OVER, drPromotion: ReplicaPromotion.OUT_OF_BAND_IMPORT, drPromotedInstance: { endpointAddress: DR_ENDPOINT } }],
  ['failed over', { phase: FailbackPhase.FAILED_OVER }],
  ['re-protected: replica created', { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders-fb1' }],
  ['re-protected', { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders-fb1', reprotectEndpointAddress: REPROTECT_ENDPOINT }],
  ['switched back: detach', {
    phase: FailbackPhase.SWITCHED_BACK,
    reprotectIdentifier: 'orders-fb1',
    reprotectEndpointAddress: REPROTECT_ENDPOINT,
    reprotectPromotion: ReplicaPromotion.OUT_OF_BAND_DETACH,
    reprotectPromotedInstance: { endpointAddress: REPROTECT_ENDPOINT },
  }],
  ['switched back: import', {
    phase: FailbackPhase.SWITCHED_BACK,
    reprotectIdentifier: 'orders-fb1',
    reprotectEndpointAddress: REPROTECT_ENDPOINT,
    reprotectPromotion: ReplicaPromotion.OUT_OF_BAND_IMPORT,
    reprotectPromotedInstance: { endpointAddress: REPROTECT_ENDPOINT },
  }],
  ['switched back', { phase: FailbackPhase.SWITCHED_BACK, reprotectIdentifier: 'orders-fb1', reprotectEndpointAddress: REPROTECT_ENDPOINT }],
  ['re-protected again', {
    phase: FailbackPhase.REPROTECTED_AGAIN,
    reprotectIdentifier: 'orders-fb1',
    reprotectEndpointAddress: REPROTECT_ENDPOINT,
    reprotectAgainIdentifier: 'orders-fb2',
  }],
];

function phaseApp(failback: FailbackOptions | undefined, app: App = newApp()) {
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const orders = multiRegionIn(primaryStack, drStack, { subscriberEmails: [ONCALL_EMAIL], ...(failback ? { failback } : {}) });
  return { app, primaryStack, drStack, orders };
}

const STATEFUL = ['AWS::RDS::DBInstance', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup'];

interface Resource {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties?: Record<string, unknown>;
}

function resources(stack: Stack): Record<string, Resource> {
  return record(stack).toJSON().Resources as Record<string, Resource>;
}

/** The stateful resources each step deliberately leaves to CloudFormation's Retain, named in docs/failing-back.md. */
const DETACHED: Record<string, string[]> = {
  'failed over: detach': [
    'Dr:OrdersReplicaInstanceA2577813',
    'Dr:OrdersRunbookLogGroup0E4F18D2', 'Dr:OrdersRunbookLogKey60110023', 'Dr:OrdersRunbookStartDeadLetterKey481CDC39',
  ],
  'switched back: detach': [
    'Primary:OrdersReprotectReplicaInstance3452AA64',
    // The switchover's log groups and their keys: the switchover is done, its logs stay.
    'Dr:OrdersSwitchoverAgentLogGroupDEA20952', 'Dr:OrdersSwitchoverAgentLogKeyB9E9C3E1',
    'Primary:OrdersSwitchoverAgentLogGroupDEA20952', 'Primary:OrdersSwitchoverAgentLogKeyB9E9C3E1',
    'Primary:OrdersSwitchoverLogGroupC41E6A85', 'Primary:OrdersSwitchoverLogKey8865D6D5',
    'Primary:OrdersSwitchoverRelayLogGroup50F21403', 'Primary:OrdersSwitchoverRelayLogKey6C5DDC2F',
  ],
  're-protected again': [],
};

interface Phase { readonly name: string; readonly stateful: Record<string, string>; readonly templates: Record<string, Record<string, Resource>> }

const phases: Phase[] = CYCLE.map(([name, failback]) => {
  const { primaryStack, drStack } = phaseApp(failback);
  const templates = { Primary: resources(primaryStack), Dr: resources(drStack) };
  const all: Record<string, string> = {};
  for (const [stack, template] of Object.entries(templates)) {
    for (const [id, r] of Object.entries(template)) {
      if (STATEFUL.includes(r.Type)) {
        all[`${stack}:${id}`] = `${r.Type} ${r.DeletionPolicy ?? '-'}`;
      }
    }
  }
  return { name, stateful: all, templates };
});

describe('every step of the cycle keeps the data', () => {
  test.each(phases.slice(1).map((p, i) => [`${phases[i].name} → ${p.name}`, phases[i], p] as const))('%s', (_, before, after) => {
    const gone = Object.keys(before.stateful).filter((id) => !(id in after.stateful)).sort();
    expect(gone).toEqual([...(DETACHED[after.name] ?? [])].sort());
    // What leaves the template is retained, so CloudFormation leaves it running.
    for (const id of gone) {
      expect(before.stateful[id]).toMatch(/ Retain$/);
    }
    // What stays keeps its type and its deletion policy: no replacement, no weaker policy.
    for (const [id, what] of Object.entries(before.stateful)) {
      if (id in after.stateful) {
        expect(`${id} ${after.stateful[id]}`).toBe(`${id} ${what}`);
      }
    }
  });

  test.each([['failed over: detach', 'failed over: import'], ['switched back: detach', 'switched back: import']])(
    '%s → %s adds the promoted instance and changes nothing else, as cdk import requires', (from, to) => {
      const before = phases.find((p) => p.name === from)!;
      const after = phases.find((p) => p.name === to)!;
      for (const stack of ['Primary', 'Dr']) {
        const added = Object.keys(after.templates[stack]).filter((id) => !(id in before.templates[stack]));
        const removed = Object.keys(before.templates[stack]).filter((id) => !(id in after.templates[stack]));
        const changed = Object.keys(before.templates[stack]).filter((id) => id in after.templates[stack]
          && JSON.stringify(before.templates[stack][id]) !== JSON.stringify(after.templates[stack][id]));
        expect({ stack, removed, changed }).toEqual({ stack, removed: [], changed: [] });
        expect(added.map((id) => after.templates[stack][id].Type)).toEqual(added.length ? ['AWS::RDS::DBInstance'] : []);
      }
    });

  test('a database whose template entry changes keeps every property that requires replacement', () => {
    // The createOnlyProperties of AWS::RDS::DBInstance that the library sets (aws-rds-dbinstance.json in
    // aws-cloudformation-resource-providers-rds): a change replaces the instance. The engine stays as well.
    const fixed = ['DBInstanceIdentifier', 'KmsKeyId', 'StorageEncrypted', 'DBSubnetGroupName', 'DBName', 'MasterUsername', 'SourceRegion', 'Engine'];
    for (let i = 1; i < phases.length; i++) {
      for (const stack of ['Primary', 'Dr']) {
        for (const [id, r] of Object.entries(phases[i].templates[stack])) {
          const earlier = phases[i - 1].templates[stack][id];
          if (r.Type !== 'AWS::RDS::DBInstance' || !earlier) {
            continue;
          }
          for (const prop of fixed) {
            expect(`${phases[i].name} ${id} ${prop} ${JSON.stringify(r.Properties?.[prop])}`)
              .toBe(`${phases[i].name} ${id} ${prop} ${JSON.stringify(earlier.Properties?.[prop])}`);
          }
        }
      }
    }
  });

  test('every database, key and secret is retained in every step (the primary leaves a final snapshot)', () => {
    for (const phase of phases) {
      for (const [id, what] of Object.entries(phase.stateful)) {
        expect(`${phase.name} ${id} ${what}`).toMatch(id === 'Primary:OrdersPrimaryInstanceA761CCB8' ? / Snapshot$/ : / Retain$/);
      }
    }
  });
});

describe('logical IDs per phase', () => {
  const ids = (phase: string) => Object.keys(phases.find((p) => p.name === phase)!.stateful)
    .filter((id) => /AWS::(RDS::DBInstance|KMS::Key|SecretsManager::Secret)/.test(phases.find((p) => p.name === phase)!.stateful[id])).sort();
  test.each([
    ['initial', [
      'Dr:OrdersNetworkFlowLogKey32E7A3F9', 'Dr:OrdersReplicaAlarmsTopicKeyB2CAB984', 'Dr:OrdersReplicaInstanceA2577813',
      'Dr:OrdersReplicaKeyF369536F', 'Dr:OrdersReplicaProbeLogKey4FA12574', 'Dr:OrdersRunbookLogKey60110023',
      'Dr:OrdersRunbookStartDeadLetterKey481CDC39',
      'Primary:OrdersNetworkFlowLogKey32E7A3F9', 'Primary:OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'Primary:OrdersPrimaryInstanceA761CCB8',
      'Primary:OrdersPrimaryKey1D77C87A', 'Primary:OrdersPrimaryProbeLogKey1166AAC6', 'Primary:OrdersPrimarySecretC4A03822',
    ]],
    ['failed over', [
      'Dr:OrdersNetworkFlowLogKey32E7A3F9', 'Dr:OrdersReplicaAlarmsTopicKeyB2CAB984', 'Dr:OrdersReplicaInstanceA2577813',
      'Dr:OrdersReplicaKeyF369536F', 'Dr:OrdersReplicaProbeLogKey4FA12574',
      'Primary:OrdersNetworkFlowLogKey32E7A3F9', 'Primary:OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'Primary:OrdersPrimaryInstanceA761CCB8',
      'Primary:OrdersPrimaryKey1D77C87A', 'Primary:OrdersPrimaryProbeLogKey1166AAC6', 'Primary:OrdersPrimarySecretC4A03822',
    ]],
    ['re-protected', [
      'Dr:OrdersNetworkFlowLogKey32E7A3F9', 'Dr:OrdersReplicaAlarmsTopicKeyB2CAB984', 'Dr:OrdersReplicaInstanceA2577813',
      'Dr:OrdersReplicaKeyF369536F', 'Dr:OrdersReplicaProbeLogKey4FA12574', 'Dr:OrdersSwitchoverAgentLogKeyB9E9C3E1',
      'Primary:OrdersSwitchoverAgentLogKeyB9E9C3E1', 'Primary:OrdersSwitchoverLogKey8865D6D5', 'Primary:OrdersSwitchoverRelayLogKey6C5DDC2F',
      'Primary:OrdersNetworkFlowLogKey32E7A3F9', 'Primary:OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'Primary:OrdersPrimaryInstanceA761CCB8',
      'Primary:OrdersPrimaryKey1D77C87A', 'Primary:OrdersPrimaryProbeLogKey1166AAC6', 'Primary:OrdersPrimarySecretC4A03822',
      'Primary:OrdersReprotectProbeLogKeyB7BD84B6', 'Primary:OrdersReprotectReplicaInstance3452AA64', 'Primary:OrdersReprotectReplicaKeyF2698EFE',
    ]],
    ['switched back', [
      'Dr:OrdersNetworkFlowLogKey32E7A3F9', 'Dr:OrdersReplicaAlarmsTopicKeyB2CAB984', 'Dr:OrdersReplicaInstanceA2577813',
      'Dr:OrdersReplicaKeyF369536F', 'Dr:OrdersReplicaProbeLogKey4FA12574',
      'Primary:OrdersNetworkFlowLogKey32E7A3F9', 'Primary:OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'Primary:OrdersPrimaryInstanceA761CCB8',
      'Primary:OrdersPrimaryKey1D77C87A', 'Primary:OrdersPrimaryProbeLogKey1166AAC6', 'Primary:OrdersPrimarySecretC4A03822',
      'Primary:OrdersReprotectProbeLogKeyB7BD84B6', 'Primary:OrdersReprotectReplicaInstance3452AA64', 'Primary:OrdersReprotectReplicaKeyF2698EFE',
    ]],
    ['re-protected again', [
      'Dr:OrdersNetworkFlowLogKey32E7A3F9', 'Dr:OrdersReplicaAlarmsTopicKeyB2CAB984', 'Dr:OrdersReplicaInstanceA2577813',
      'Dr:OrdersReplicaKeyF369536F', 'Dr:OrdersReplicaProbeLogKey4FA12574',
      'Dr:OrdersReprotectAgainProbeLogKey6DAFF8AC', 'Dr:OrdersReprotectAgainReplicaInstanceB5ADA7E1', 'Dr:OrdersReprotectAgainReplicaKey5C75864A',
      'Dr:OrdersReprotectAgainRunbookLogKeyE925FC66', 'Dr:OrdersReprotectAgainRunbookStartDeadLetterKeyFAAAB12A',
      'Primary:OrdersNetworkFlowLogKey32E7A3F9', 'Primary:OrdersPrimaryAlarmsTopicKeyE3CFAA55', 'Primary:OrdersPrimaryInstanceA761CCB8',
      'Primary:OrdersPrimaryKey1D77C87A', 'Primary:OrdersPrimaryProbeLogKey1166AAC6', 'Primary:OrdersPrimarySecretC4A03822',
      'Primary:OrdersReprotectProbeLogKeyB7BD84B6', 'Primary:OrdersReprotectReplicaInstance3452AA64', 'Primary:OrdersReprotectReplicaKeyF2698EFE',
    ]],
  ])('%s', (phase, expected) => {
    expect(ids(phase)).toEqual([...expected].sort());
  });
});

function writerRecords(phase: Phase): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of Object.values(phase.templates.Dr)) {
    const p = r.Properties as { Name?: string; Failover?: string; ResourceRecords?: unknown[] } | undefined;
    if (r.Type === 'AWS::Route53::RecordSet' && p?.Name === 'writer.orders.internal.') {
      out[p.Failover!] = p.ResourceRecords?.[0];
    }
  }
  return out;
}

describe('the failover names follow the writer', () => {
  const byName = (name: string) => phases.find((p) => p.name === name)!;
  test('until the re-protect replica is known: the primary, then the promoted DR instance behind the fence', () => {
    for (const name of ['initial', 'failed over: detach', 'failed over', 're-protected: replica created']) {
      const records = writerRecords(byName(name));
      expect(records.PRIMARY).toBe('orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com');
    }
    expect(writerRecords(byName('failed over: detach')).SECONDARY).toBe(DR_ENDPOINT);
  });
  test('re-protected and switched back: the DR instance, then the re-protect instance', () => {
    for (const name of ['re-protected', 'switched back']) {
      const records = writerRecords(byName(name));
      expect(JSON.stringify(records.PRIMARY)).toContain('OrdersReplicaInstanceA2577813');
      expect(records.SECONDARY).toBe(REPROTECT_ENDPOINT);
    }
  });
  test('re-protected again: the re-protect instance, then the second re-protect replica', () => {
    const records = writerRecords(byName('re-protected again'));
    expect(records.PRIMARY).toBe(REPROTECT_ENDPOINT);
    expect(JSON.stringify(records.SECONDARY)).toContain('OrdersReprotectAgainReplicaInstance');
  });
});

/** The resources of every statement that allows rds:PromoteReadReplica, in either stack. */
function promotable(phase: Phase): string[] {
  const out = new Set<string>();
  for (const template of Object.values(phase.templates)) {
    for (const r of Object.values(template)) {
      if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') {
        continue;
      }
      const statements = ((r.Properties?.PolicyDocument as { Statement?: Array<{ Action: string | string[]; Resource: unknown }> })?.Statement) ?? [];
      for (const st of statements) {
        if ([st.Action].flat().includes('rds:PromoteReadReplica')) {
          [st.Resource].flat().forEach((res) => out.add(JSON.stringify(res)));
        }
      }
    }
  }
  return [...out];
}

describe('the runbook never points at the writer', () => {
  const WRITER: Record<string, string> = {
    'initial': 'orders-primary',
    'failed over: detach': 'orders-dr',
    'failed over: import': 'orders-dr',
    'failed over': 'orders-dr',
    're-protected: replica created': 'orders-dr',
    're-protected': 'orders-dr',
    'switched back: detach': 'orders-fb1',
    'switched back: import': 'orders-fb1',
    'switched back': 'orders-fb1',
    're-protected again': 'orders-fb1',
  };
  test.each(phases.map((p) => [p.name, p] as const))('%s', (name, phase) => {
    const arns = promotable(phase);
    if (name === 'initial') {
      expect(arns).toEqual(['"arn:aws:rds:us-west-2:111111111111:db:orders-dr"']);
    } else if (name === 're-protected again') {
      expect(arns).toEqual(['"arn:aws:rds:us-west-2:111111111111:db:orders-fb2"']);
    } else if (name.startsWith('re-protected')) {
      // The SwitchoverRunbook that the phase adds promotes the re-protect replica, never the DR instance that writes.
      expect(arns).toEqual(['"arn:aws:rds:us-east-1:111111111111:db:orders-fb1"']);
    } else {
      expect(arns).toEqual([]);
    }
    for (const arn of arns) {
      expect(arn).not.toContain(`:db:${WRITER[name]}"`);
    }
  });

  test.each(CYCLE.map(([name, failback]) => [name, failback] as const))('%s: runbook and promotionRole are read only where there is one', (_, failback) => {
    const { orders } = phaseApp(failback);
    const phase = failback?.phase ?? FailbackPhase.INITIAL;
    if (phase === FailbackPhase.INITIAL || phase === FailbackPhase.REPROTECTED_AGAIN) {
      expect(orders.runbook).toBe(orders.failoverRunbook);
      expect(orders.promotionRole).toBe(orders.failoverRunbook!.promotionRole);
    } else {
      expect(orders.failoverRunbook).toBeUndefined();
      expect(() => orders.runbook).toThrow(/MultiRegionPostgres: invalid failback.phase .*: INITIAL or REPROTECTED_AGAIN to read runbook/);
      expect(() => orders.promotionRole).toThrow(/invalid failback.phase/);
    }
  });
});

test('failback unset and failback INITIAL give the same templates', () => {
  const unset = phaseApp(undefined);
  const initial = phaseApp({ phase: FailbackPhase.INITIAL });
  expect(Template.fromStack(initial.primaryStack).toJSON()).toEqual(Template.fromStack(unset.primaryStack).toJSON());
  expect(Template.fromStack(initial.drStack).toJSON()).toEqual(Template.fromStack(unset.drStack).toJSON());
});

test('the re-protect replicas replicate the writer and publish their endpoint', () => {
  const { orders, primaryStack } = phaseApp(CYCLE[CYCLE.length - 1][1]);
  expect(orders.reprotectReplica!.sourceInstanceIdentifier).toBe('orders-dr');
  expect(orders.reprotectReplica!.instanceIdentifier).toBe('orders-fb1');
  expect(orders.reprotectAgainReplica!.sourceInstanceIdentifier).toBe('orders-fb1');
  expect(Stack.of(orders.reprotectReplica!)).toBe(primaryStack);
  expect(Object.keys(Template.fromStack(primaryStack).findOutputs('*')).filter((id) => id.includes('ReprotectEndpointAddress'))).toHaveLength(1);
  expect(orders.phase).toBe(FailbackPhase.REPROTECTED_AGAIN);
});

describe('compliance packs on every step', () => {
  test.each(CYCLE.map(([name, failback]) => [name, failback] as const))('%s', (_, failback) => {
    const { app } = phaseApp(failback);
    expect(synthWithNag(app).findings).toEqual([]);
  });
});


describe('under any feature flags', () => {
  // Without @aws-cdk/core:enablePartitionLiterals a stack names its partition by a token: the switchover must still
  // recognise the DR instance, named by the stack's partition, as the source the re-protect replica names by a literal.
  test.each(CYCLE.map(([name, failback]) => [name, failback] as const))('%s synthesizes in an App without feature flags', (_, failback) => {
    const { app, orders } = phaseApp(failback, new App());
    expect(() => app.synth()).not.toThrow();
    if (failback?.phase === FailbackPhase.REPROTECTED) {
      expect(orders.switchover).toBeDefined();
    }
  });
});
