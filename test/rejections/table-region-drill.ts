import { App, Duration } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IsolatedVpc, PostgresInstanceAttributes, PostgresInstanceBase, RegionFailoverDrill, RegionFailoverDrillProps } from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_REGION, newStack } from '../util';
// Types only: table.ts spreads this module's rows, so a value import from it would be circular.
import type { RejectionRow } from './table';

/** `RegionFailoverDrill` rules: what can be copied, and the copy's settings. Spread into `REJECTIONS` by `table.ts`. */

const CASCADING = 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Replication.ReadReplicas.Cascading.html';
const CREATE_READ_REPLICA = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html';

const R = 'RegionFailoverDrill' as const;

const PRIMARY_ARN = `arn:aws:rds:${PRIMARY_REGION}:${ACCOUNT}:db:orders-primary`;

/** A drill in a us-west-2 stack of a replica made outside the app, imported with `attrs`, and `props`. */
export function regionDrill(attrs: Partial<PostgresInstanceAttributes> = {}, props: Partial<RegionFailoverDrillProps> = {}): (app: App) => void {
  return (app) => {
    const stack = newStack(app, 'Dr', DR_REGION);
    const net = new IsolatedVpc(stack, 'Network');
    const replica = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Replica', {
      instanceArn: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr`,
      endpointAddress: 'orders-dr.abcdefghijkl.us-west-2.rds.amazonaws.com',
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      replicationSourceArn: PRIMARY_ARN,
      backupRetention: Duration.days(1),
      ...attrs,
    });
    new RegionFailoverDrill(stack, 'Drill', {
      replica,
      vpc: net.vpc,
      topic: new sns.Topic(stack, 'Topic'),
      instanceClass: 'db.r7g.large',
      subnetGroupName: 'orders-dr-subnets',
      ...props,
    });
  };
}

export const REGION_DRILL_REJECTIONS: RejectionRow[] = [
  {
    construct: R,
    prop: 'replica',
    shown: "'PostgreSQL 13.20'",
    allowed: 'a replica on RDS for PostgreSQL 14.1 or later',
    readme: 'PostgreSQL before 14.1',
    source: CASCADING,
    build: regionDrill({ engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_13_20 }) }),
  },
  {
    construct: R,
    prop: 'replica',
    shown: "'Dr/Replica (backup retention 0)'",
    allowed: 'a replica with automated backups',
    readme: 'a replica without automated backups',
    source: CREATE_READ_REPLICA,
    build: regionDrill({ backupRetention: Duration.days(0) }),
  },
  {
    construct: R,
    prop: 'replica',
    shown: "'Dr/Replica'",
    allowed: 'a read replica (an instance with replicationSourceArn)',
    readme: 'a standalone instance',
    source: 'library: the drill copies the DR replica, never a primary',
    build: regionDrill({ replicationSourceArn: undefined }),
  },
  {
    construct: R,
    prop: 'replica',
    shown: `'${'o'.repeat(58)}'`,
    allowed: "leaves room for the copy's, <replica>-drill, within 63 characters",
    readme: 'an identifier longer than 57 characters',
    source: CREATE_READ_REPLICA,
    build: regionDrill({ instanceArn: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:${'o'.repeat(58)}` }),
  },
  {
    construct: R,
    prop: 'replica',
    shown: "'Dr/Replica'",
    allowed: "a replica in this stack's Region (us-east-1)",
    readme: 'a replica of another Region',
    source: 'library: the drill runs next to the DR replica',
    build: (app) => {
      const stack = newStack(app, 'Dr', PRIMARY_REGION);
      const net = new IsolatedVpc(stack, 'Network');
      const replica = PostgresInstanceBase.fromPostgresInstanceAttributes(stack, 'Replica', {
        instanceArn: `arn:aws:rds:${DR_REGION}:${ACCOUNT}:db:orders-dr`,
        endpointAddress: 'orders-dr.abcdefghijkl.us-west-2.rds.amazonaws.com',
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
        replicationSourceArn: PRIMARY_ARN,
      });
      new RegionFailoverDrill(stack, 'Drill', { replica, vpc: net.vpc, topic: new sns.Topic(stack, 'Topic'), subnetGroupName: 'x' });
    },
  },
  {
    construct: R,
    prop: 'instanceClass',
    shown: "'r7g.large'",
    allowed: 'a DB instance class such as db.r7g.large',
    readme: 'a class without the `db.` prefix',
    source: CREATE_READ_REPLICA,
    build: regionDrill({}, { instanceClass: 'r7g.large' }),
  },
  {
    construct: R,
    prop: 'subnetGroupName',
    shown: '(unset)',
    allowed: "the name of the replica's DB subnet group",
    readme: 'missing for a replica made outside the app',
    source: CREATE_READ_REPLICA,
    build: regionDrill({}, { subnetGroupName: undefined }),
  },
  {
    construct: R,
    prop: 'timeout',
    shown: "'5 minutes'",
    allowed: 'a whole number of minutes from 10 to 1440',
    readme: 'under 10 minutes or over 24 hours',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html',
    build: regionDrill({}, { timeout: Duration.minutes(5) }),
  },
];
