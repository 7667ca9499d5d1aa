import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AzFailoverDrill, AzFailoverDrillProps, CrossRegionReadReplica, DbAlarmSet, IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps,
  PostgresInstanceBase, WritableProbe,
} from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, newStack } from '../util';
// Types only: table.ts spreads this module's rows, so a value import from it would be circular.
import type { RejectionRow } from './table';

/** `AzFailoverDrill` rules: what can be drilled, and which alarms may stop it. Spread into `REJECTIONS` by `table.ts`. */

const REBOOT_DB_INSTANCE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html';
const FIS_TARGETS = 'https://docs.aws.amazon.com/fis/latest/userguide/targets.html';
const FIS_QUOTAS = 'https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html';

const D = 'AzFailoverDrill' as const;

/** A drill of a `MultiAzPostgres` named `orders-primary` in us-east-1 (built from `primary`), with `props`. */
export function drill(props: (scope: { app: App; primary: MultiAzPostgres; alarms: DbAlarmSet }) => Partial<AzFailoverDrillProps> = () => ({}),
  primary: Partial<MultiAzPostgresProps> = {}): (app: App) => void {
  return (app) => {
    const stack = newStack(app, 'Primary', PRIMARY_REGION);
    const net = new IsolatedVpc(stack, 'Network');
    const db = new MultiAzPostgres(stack, 'Orders', {
      vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', allocatedStorage: 100, ...primary,
    });
    const alarms = new DbAlarmSet(stack, 'OrdersAlarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
    new AzFailoverDrill(stack, 'Drill', { instance: db, ...props({ app, primary: db, alarms }) });
  };
}

/** An instance made outside the app, imported into a us-east-1 stack, and a drill of it. */
function importedDrill(arn: string, multiAz?: boolean): (app: App) => void {
  return (app) => {
    const stack = newStack(app, 'Primary', PRIMARY_REGION);
    const instance = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Billing', {
      instanceArn: arn,
      endpointAddress: 'billing.abcdefghijkl.us-east-1.rds.amazonaws.com',
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_18 }),
      multiAz,
    });
    new AzFailoverDrill(stack, 'Drill', { instance });
  };
}

export const DRILL_REJECTIONS: RejectionRow[] = [
  {
    construct: D,
    prop: 'instance',
    shown: "'Primary/Billing'",
    allowed: 'a Multi-AZ DB instance: a forced failover needs a standby',
    readme: 'a Single-AZ instance',
    source: REBOOT_DB_INSTANCE,
    build: importedDrill(`arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:billing`, false),
  },
  {
    construct: D,
    prop: 'instance',
    shown: "'Primary/Billing'",
    allowed: "a DB instance in this stack's account (111111111111), not 222222222222",
    readme: 'an instance of another account',
    source: FIS_TARGETS,
    build: importedDrill(`arn:aws:rds:${PRIMARY_REGION}:222222222222:db:billing`, true),
  },
  {
    construct: D,
    prop: 'instance',
    shown: "'Primary/Orders'",
    allowed: "a DB instance in this stack's Region (us-west-2), not us-east-1",
    readme: 'an instance of another Region',
    source: "library: the experiment, its role's scope, its log group and its stop-condition alarms are in the stack's Region",
    build: (app) => {
      const stack = newStack(app, 'Primary', PRIMARY_REGION);
      const net = new IsolatedVpc(stack, 'Network');
      const db = new MultiAzPostgres(stack, 'Orders', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: 'orders-primary' });
      new AzFailoverDrill(newStack(app, 'Dr', DR_REGION), 'Drill', { instance: db });
    },
  },
  {
    construct: D,
    prop: 'instance',
    shown: "'Dr/Replica'",
    allowed: 'a primary, not a read replica',
    readme: 'a read replica',
    source: 'library: the drill rehearses the failover of the writable instance, which the writable probe measures',
    build: (app) => {
      const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
      const primaryNet = new IsolatedVpc(primaryStack, 'Network');
      const primary = new MultiAzPostgres(primaryStack, 'Orders', {
        vpc: primaryNet.vpc, secretsManagerEndpoint: primaryNet.secretsManagerEndpoint, instanceIdentifier: 'orders-primary', allocatedStorage: 100,
      });
      const drStack = newStack(app, 'Dr', DR_REGION);
      const replica = new CrossRegionReadReplica(drStack, 'Replica', {
        sourceInstance: primary, vpc: new IsolatedVpc(drStack, 'Network').vpc, instanceIdentifier: 'orders-dr',
      });
      new AzFailoverDrill(drStack, 'Drill', { instance: replica });
    },
  },
  {
    construct: D,
    prop: 'stopConditionAlarms',
    shown: "'6 alarms'",
    allowed: 'at most 5 alarms, the FIS quota of stop conditions per experiment template',
    readme: 'more than 5 alarms',
    source: FIS_QUOTAS,
    build: drill(({ alarms }) => ({ stopConditionAlarms: Object.values(alarms.alarms).slice(0, 6) })),
  },
  {
    construct: D,
    prop: 'stopConditionAlarms',
    shown: "'Primary/OrdersProbe/NotWritableAlarm'",
    allowed: "alarms other than the writable probe's of orders-primary",
    readme: "the instance's writable probe alarms",
    source: 'library: the drill makes the primary unwritable on purpose, so its probe alarms would stop every drill',
    build: drill(({ primary, alarms }) => {
      const stack = Stack.of(primary);
      const net = stack.node.findChild('Network') as IsolatedVpc;
      const probe = new WritableProbe(stack, 'OrdersProbe', {
        instance: primary,
        credentials: primary.secret,
        vpc: net.vpc,
        topic: alarms.topic,
        awsApiEndpoints: [net.secretsManagerEndpoint, net.monitoringEndpoint],
      });
      return { stopConditionAlarms: [alarms.alarms.FreeStorageSpace, probe.notWritableAlarm] };
    }),
  },
  {
    construct: D,
    prop: 'stopConditionAlarms',
    shown: "'Primary/Elsewhere'",
    allowed: "alarms in this stack's Region (us-east-1), not us-west-2",
    readme: 'an alarm of another Region',
    source: "library: an experiment's stop conditions are alarms of its own Region",
    build: drill(({ primary }) => ({
      stopConditionAlarms: [cloudwatch.Alarm.fromAlarmArn(Stack.of(primary), 'Elsewhere', `arn:aws:cloudwatch:${DR_REGION}:${ACCOUNT}:alarm:orders-dr-cpu`)],
    })),
  },
  {
    construct: D,
    prop: 'rtoObjective',
    shown: "'0 seconds'",
    allowed: 'a whole number of seconds from 1 to 86400',
    readme: 'an objective of 0 seconds or more than a day',
    source: 'library: the measured downtime, in whole probe minutes, is compared with it; a day bounds every other objective of the library',
    build: drill(() => ({ rtoObjective: Duration.seconds(0) })),
  },
  {
    construct: D,
    prop: 'settleTime',
    shown: "'1 hour 30 minutes'",
    allowed: 'a whole number of minutes from 2 to 60',
    readme: 'less than 2 or more than 60 minutes, or not whole minutes',
    source: 'library: the window must cover the failover (RDS: typically 60-120 s) and the measurement reports within the hour',
    build: drill(() => ({ settleTime: Duration.minutes(90) })),
  },
  {
    construct: D,
    prop: 'topicKey',
    shown: "'Primary/OrdersAlarms/TopicKey'",
    allowed: 'unset when no topic is given',
    readme: 'a key without a topic',
    source: 'library: it is the key of `topic`',
    build: drill(({ alarms }) => ({ topicKey: alarms.topicKey })),
  },
  {
    construct: D,
    prop: 'topic',
    shown: "'Dr/Topic'",
    allowed: 'a resource in us-east-1, not us-west-2',
    readme: 'a topic of another Region',
    source: "library: the measurement reports in the drill's Region, where the primary's alarm topic is",
    build: drill(({ app }) => ({ topic: new sns.Topic(newStack(app, 'Dr', DR_REGION), 'Topic') })),
  },
];
