import * as iam from 'aws-cdk-lib/aws-iam';
import { IPostgresInstance } from './postgres-instance';
import { grantConnectOn } from '../private/connect-grant';

/** Options of `ConnectGrant.onInstances` and `MultiRegionPostgres.grantConnect`. */
export interface ConnectGrantOptions {
  /**
   * The resource IDs (`DbiResourceId`, `db-...`) of the instances the grantee's stack cannot read one from, by DB
   * instance identifier, such as `{ 'orders-dr': 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2' }`: an instance in a stack of another
   * Region (the DR replica for a grantee next to the primary, the primary for one in the DR Region). Read it after the
   * instance's first deploy with `aws rds describe-db-instances --db-instance-identifier <id> --query
   * "DBInstances[0].DbiResourceId"`. A promoted replica keeps its resource ID.
   *
   * @default - none: every instance outside the grantee's Region needs `anyInstanceWhereUnknown`
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
   */
  readonly resourceIds?: Record<string, string>;

  /**
   * For an instance whose resource ID the grantee's stack cannot read and `resourceIds` does not give: grant on every DB
   * instance of that instance's Region and account (`arn:<partition>:rds-db:<region>:<account>:dbuser:*` followed by
   * `/<dbUser>`). This is broader than the database: any DB instance there with IAM authentication on and a role of that
   * name admits the grantee. Use it until the instance is deployed and its resource ID known, then give `resourceIds`.
   *
   * @default false: such an instance is refused
   */
  readonly anyInstanceWhereUnknown?: boolean;
}

/**
 * `rds-db:connect` on several DB instances at once, for a principal that must keep logging in with IAM database
 * authentication after a failover moves the writer to another instance. IAM names each instance by its own resource
 * ID, so a grant on the primary alone fails after the DR replica is promoted.
 *
 * @example
 * declare const primary: MultiAzPostgres;        // us-east-1
 * declare const replica: CrossRegionReadReplica; // us-west-2
 * declare const appRole: iam.IRole;              // in the primary's stack
 * ConnectGrant.onInstances(appRole, 'orders_app', [primary, replica], {
 *   resourceIds: { 'orders-dr': 'db-ABCDEFGHIJKLMNOPQRSTUVWXY2' },
 * });
 */
export class ConnectGrant {
  /**
   * Grants `grantee` `rds-db:connect` as `dbUser` on each of `instances`, each by its own resource ID: read from the
   * instance when it is in the grantee's account and Region (or imported with a literal `instanceResourceId`), else
   * from `options.resourceIds`, else (only with `options.anyInstanceWhereUnknown`) every instance of its Region.
   *
   * @param grantee the principal
   * @param dbUser the PostgreSQL role the principal logs in as, created with `GRANT rds_iam TO <dbUser>` on the primary
   * @param instances the primary and every instance a failover can make the writer
   * @param options resource IDs the grantee's stack cannot read
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
   */
  public static onInstances(grantee: iam.IGrantable, dbUser: string, instances: IPostgresInstance[],
    options: ConnectGrantOptions = {}): iam.Grant {
    return grantConnectOn('ConnectGrant', grantee, dbUser, instances, options);
  }

  private constructor() {}
}
