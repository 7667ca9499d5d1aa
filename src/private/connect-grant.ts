import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { dbiResourceIdOf } from './db-instance-facts';
import { propError } from './errors';
import { validateDbUser } from './validation';
import type { IPostgresInstance } from '../common/postgres-instance';

/** What `grantConnectOn` takes besides the grantee, the user and the instances (`ConnectGrantOptions`). */
export interface ConnectGrantSettings {
  readonly resourceIds?: Record<string, string>;
  readonly anyInstanceWhereUnknown?: boolean;
}

/** A DbiResourceId as RDS gives it: `db-` followed by letters and digits. */
const RESOURCE_ID = /^db-[A-Za-z0-9]+$/;

/**
 * Grants `grantee` `rds-db:connect` as `dbUser` on each of `instances`, naming each instance by its own DbiResourceId:
 * the instance's resource ID where the grantee's stack can read it (an instance of the grantee's Region, whose
 * `DbiResourceId` attribute CloudFormation resolves, or an instance imported with a literal ID), else the literal of
 * `resourceIds`, else, only when `anyInstanceWhereUnknown` is set, every DB instance of the instance's Region and
 * account (`dbuser:*` + `/<dbUser>`). An instance without any of these is refused: the grant would not follow the
 * database after a failover.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html
 */
export function grantConnectOn(construct: string, grantee: iam.IGrantable, dbUser: string, instances: IPostgresInstance[],
  settings: ConnectGrantSettings = {}): iam.Grant {
  validateDbUser(construct, 'dbUser', dbUser);
  if (instances.length === 0) {
    throw propError(construct, 'instances', '[]', 'at least one DB instance: the primary and the instances a failover makes the writer');
  }
  const identifiers = new Set(instances.map((instance) => instance.instanceIdentifier));
  for (const [identifier, resourceId] of Object.entries(settings.resourceIds ?? {})) {
    if (!identifiers.has(identifier)) {
      throw propError(construct, 'resourceIds', identifier,
        `the DB instance identifier of one of the instances (${[...identifiers].join(', ')}), mapped to its DbiResourceId`);
    }
    if (Token.isUnresolved(resourceId) || !RESOURCE_ID.test(resourceId)) {
      throw propError(construct, `resourceIds.${identifier}`, resourceId,
        `the literal DbiResourceId of ${identifier}, db- followed by letters and digits `
        + `(aws rds describe-db-instances --db-instance-identifier ${identifier} --query "DBInstances[0].DbiResourceId")`);
    }
  }
  const principal = grantee.grantPrincipal;
  const granteeStack = Construct.isConstruct(principal) ? Stack.of(principal) : undefined;
  const resourceArns = instances.map((instance) => {
    const arn = (resourceId: string) =>
      `arn:${Aws.PARTITION}:rds-db:${instance.region}:${instance.account}:dbuser:${resourceId}/${dbUser}`;
    const own = dbiResourceIdOf(instance.instance);
    if (own !== undefined && !Token.isUnresolved(own)) {
      return arn(own);
    }
    const given = settings.resourceIds?.[instance.instanceIdentifier];
    if (given !== undefined) {
      return arn(given);
    }
    // A token resolves in the grantee's stack when both stacks are in one account and Region (aws-cdk-lib then exports it);
    // across Regions CloudFormation cannot reference it.
    const instanceStack = Stack.of(instance);
    if (own !== undefined && granteeStack !== undefined && instanceStack.region === granteeStack.region
      && instanceStack.account === granteeStack.account) {
      return arn(own);
    }
    if (settings.anyInstanceWhereUnknown === true) {
      return arn('*');
    }
    throw propError(construct, 'resourceIds', undefined,
      `the DbiResourceId of ${instance.instanceIdentifier} (${instance.region}), which the grantee's stack `
      + `${granteeStack === undefined ? '' : `(${granteeStack.region}) `}cannot read: rds-db:connect names each instance by its `
      + `own resource ID, and a promoted replica keeps its own. Give { '${instance.instanceIdentifier}': 'db-...' } after its first deploy `
      + `(aws rds describe-db-instances --db-instance-identifier ${instance.instanceIdentifier} --query "DBInstances[0].DbiResourceId"), `
      + `or set anyInstanceWhereUnknown: true to grant on every DB instance of ${instance.region} in the account until then`);
  });
  return iam.Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns });
}
