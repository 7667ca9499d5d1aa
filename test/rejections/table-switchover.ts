import { App, Duration } from 'aws-cdk-lib';
import { RejectionRow } from './table';
import { SwitchoverSqlAgent } from '../../src';
import { switchoverApp } from '../switchover-runbook/fixture';
import { failoverApp } from '../util';

/** The rejections of `SwitchoverRunbook` and `SwitchoverSqlAgent`. */
const S = 'SwitchoverRunbook' as const;
const A = 'SwitchoverSqlAgent' as const;
const BOUNDED = 'library: the catch-up wait blocks writes, so it is bounded and polled';
const build = (...args: Parameters<typeof switchoverApp>) => (app: App) => {
  switchoverApp(args[0], app, args[2]);
};

export const SWITCHOVER_REJECTIONS: RejectionRow[] = [
  {
    construct: S,
    prop: 'catchUpTimeout',
    shown: "'5 seconds'",
    allowed: 'a whole number of seconds from 10 to 3600',
    readme: 'outside 10 s-1 h, or shorter than `catchUpPollInterval`',
    source: BOUNDED,
    build: build({ catchUpTimeout: Duration.seconds(5) }),
  },
  {
    construct: S,
    prop: 'catchUpTimeout',
    shown: "'10 seconds'",
    allowed: 'at least catchUpPollInterval',
    readme: 'outside 10 s-1 h, or shorter than `catchUpPollInterval`',
    source: BOUNDED,
    build: build({ catchUpTimeout: Duration.seconds(10), catchUpPollInterval: Duration.seconds(30) }),
  },
  {
    construct: S,
    prop: 'catchUpPollInterval',
    shown: "'1 minute 30 seconds'",
    allowed: 'a whole number of seconds from 1 to 60',
    readme: 'outside 1-60 s',
    source: BOUNDED,
    build: build({ catchUpPollInterval: Duration.seconds(90) }),
  },
  {
    construct: S,
    prop: 'pollInterval',
    shown: "'5 seconds'",
    allowed: 'a whole number of seconds from 10 to 300',
    readme: '`pollInterval` outside 10-300 s; `promotionTimeout` outside 5 min-6 h',
    source: 'library: the promotion poll is bounded, as the FailoverRunbook\'s',
    build: build({ pollInterval: Duration.seconds(5) }),
  },
  {
    construct: S,
    prop: 'backupRetention',
    shown: "'36 days'",
    allowed: 'a whole number of days from 1 to 35',
    readme: 'outside 1-35 days',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html',
    build: build({ backupRetention: Duration.days(36) }),
  },
  {
    construct: S,
    prop: 'writerAgent',
    shown: "'Dr/SwitchoverAgent'",
    allowed: "an agent of the replica's source",
    readme: 'an agent of another instance than the replica\'s source',
    source: 'library: the fence must be set on the writer the replica follows',
    build: build(({ targetAgent }) => ({ writerAgent: targetAgent })),
  },
  {
    construct: S,
    prop: 'targetAgent',
    shown: "'Primary/SwitchoverAgent'",
    allowed: 'an agent of the replica orders-dr in this Region',
    readme: 'an agent of another instance than the replica, or in another Region',
    source: 'library: the replay position is read from the replica itself',
    build: build(({ writerAgent }) => ({ targetAgent: writerAgent })),
  },
  {
    construct: A,
    prop: 'functionName',
    shown: "'orders primary agent'",
    allowed: '1 to 64 letters, digits, hyphens or underscores',
    readme: 'not 1-64 letters, digits, hyphens or underscores',
    source: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html',
    path: 'Primary/SwitchoverAgent',
    build: build({}, undefined, { functionName: 'orders primary agent' }),
  },
  {
    construct: A,
    prop: 'instance',
    shown: "'Primary/Orders",
    allowed: "a DB instance in this stack's Region",
    readme: 'an instance in another Region than its stack',
    source: 'library: the agent connects from a VPC of its own Region',
    build: (app) => {
      const parts = failoverApp({}, app);
      new SwitchoverSqlAgent(parts.drStack, 'Agent', { instance: parts.primary, credentials: parts.primary.secret, vpc: parts.drNet.vpc });
    },
  },
];
