/**
 * What the DR stack's template declares for a `CrossRegionReadReplica`: the replica, the promoted instance, or one of
 * the two steps that bring an instance promoted outside CloudFormation back under the stack.
 *
 * Why there are two paths. The CloudFormation handler of `AWS::RDS::DBInstance` calls PromoteReadReplica whenever an
 * update removes `SourceDBInstanceIdentifier`, comparing the previous and the desired template only and never the live
 * instance (`UpdateHandler.handleRequest`, `ResourceModelHelper.isDBInstanceReadReplicaPromotion`). On an instance that
 * the failover runbook or an operator already promoted, RDS refuses the call (PromoteReadReplica's identifier "must
 * match the identifier of an existing read replica DB instance"), the update fails, and the rollback, which adds the source back, is refused as
 * `NotUpdatable` (`ImmutabilityHelper.isSourceDBInstanceIdentifierMutable`): the stack ends in UPDATE_ROLLBACK_FAILED.
 * So `PROMOTED` may be deployed straight over `REPLICA` only while the instance is still a replica in RDS; after an
 * out-of-band promotion the stack forgets the instance (`OUT_OF_BAND_DETACH`) and imports it back (`OUT_OF_BAND_IMPORT`).
 *
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/UpdateHandler.java
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/util/ImmutabilityHelper.java
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html
 */
export enum ReplicaPromotion {
  /** A read replica of the source (`SourceDBInstanceIdentifier` set, no backups of its own). */
  REPLICA = 'REPLICA',

  /**
   * The promoted, standalone instance under the replica's logical ID: no `SourceDBInstanceIdentifier`, automated
   * backups on (`promotedBackupRetention`). Deployed over `REPLICA` while the instance is still a replica in RDS,
   * CloudFormation promotes it (PromoteReadReplica with the backup retention). It is also the last step after
   * `OUT_OF_BAND_IMPORT`. Never deploy it straight over `REPLICA` once the instance was promoted outside CloudFormation.
   */
  PROMOTED = 'PROMOTED',

  /**
   * Step 2 after a promotion outside CloudFormation (the failover runbook, the console): the DB instance is left out of
   * the template, so CloudFormation forgets it and, with the `Retain` deletion policy that the deployed template
   * already carries, leaves it running. The key, security group, parameter group, subnet group, monitoring role and log
   * groups stay in the stack unchanged; `instance` becomes a reference to the live instance built from
   * `promotedInstance`, so alarms, probes and records keep working.
   */
  OUT_OF_BAND_DETACH = 'OUT_OF_BAND_DETACH',

  /**
   * Step 3 after a promotion outside CloudFormation: the promoted instance is declared again under the replica's
   * logical ID, exactly as `PROMOTED` declares it, for `cdk import`; everything else is as in `OUT_OF_BAND_DETACH`, so
   * the import adds one resource and changes nothing else. Once imported, switch to `PROMOTED`.
   */
  OUT_OF_BAND_IMPORT = 'OUT_OF_BAND_IMPORT',
}

/**
 * The live promoted instance, as `aws rds describe-db-instances` reports it, for the steps in which the template does
 * not declare it (`OUT_OF_BAND_DETACH`) or must not yet refer to it (`OUT_OF_BAND_IMPORT`).
 */
export interface PromotedInstanceAttributes {
  /**
   * The instance's endpoint address (`DBInstances[0].Endpoint.Address`), such as
   * `orders-dr.abcdefghijkl.us-west-2.rds.amazonaws.com`. Alarms, probes, records and outputs that read
   * `CrossRegionReadReplica.endpoint` get this literal in both steps.
   */
  readonly endpointAddress: string;

  /**
   * The instance's resource ID (`DBInstances[0].DbiResourceId`, `db-...`), which `rds-db:connect` names. Needed only
   * when `grantConnect` is called while the template does not read it from the instance.
   *
   * @default - `grantConnect` is refused in the `OUT_OF_BAND_*` steps
   */
  readonly resourceId?: string;
}
