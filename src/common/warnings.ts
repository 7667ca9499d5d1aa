/**
 * The ids of the warnings the constructs of this library give at synthesis. Each warning's message ends with
 * `[ack: <id>]`; where the choice is deliberate, acknowledge it on the construct (or any scope above it) with
 * `Annotations.of(scope).acknowledgeWarning(Warnings.<NAME>, '<reason>')`, and it is no longer printed.
 */
export class Warnings {
  /**
   * A database whose `removalPolicy` is `RemovalPolicy.DESTROY` (`MultiAzPostgres`, `CrossRegionReadReplica`, and
   * both databases of `MultiRegionPostgres`): when it leaves the stack, or the stack is deleted with deletion protection
   * off, RDS deletes it without a final snapshot.
   */
  public static readonly DATABASE_DESTROYED_WITH_STACK = 'cdk-resilient-postgres:databaseDestroyedWithStack';

  /**
   * A KMS key whose `keyRemovalPolicy` is `RemovalPolicy.DESTROY` (`MultiAzPostgres`, `CrossRegionReadReplica`,
   * `MultiRegionPostgres`, `DrSecretKey`, `DrBackupVault`): CloudFormation schedules its deletion with the stack, and
   * once the waiting period ends, whatever it encrypts that outlives the stack (snapshots, retained or replicated
   * automated backups, recovery points, secrets, logs) can no longer be decrypted. With a key that was passed in, which
   * the construct never deletes, the warning says what is deleted with the stack instead.
   */
  public static readonly KEY_DESTROYED_WITH_STACK = 'cdk-resilient-postgres:keyDestroyedWithStack';

  /**
   * A `Route53DbFailover` without `secondary.writableAlarm`: nothing fences the old primary, so after a promotion it is
   * answered again as soon as it is writable, and two primaries can take writes. Pass the DR `WritableProbe`'s
   * `writableAlarm` instead of acknowledging it.
   */
  public static readonly PRIMARY_NOT_FENCED = 'cdk-resilient-postgres:primaryNotFenced';

  /**
   * A `MultiAzPostgres` whose `secretReplicaRegions` names a Region without an `encryptionKey`: the master secret's
   * replica there is encrypted with the AWS-managed `aws/secretsmanager` key rather than a customer-managed key. Give a
   * customer-managed key of that Region (a `DrSecretKey`) instead of acknowledging it.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-secretsmanager-secret-replicaregion.html
   */
  public static readonly SECRET_REPLICA_AWS_MANAGED_KEY = 'cdk-resilient-postgres:secretReplicaAwsManagedKey';

  /**
   * A `ResilienceObjectives` target that is met with less headroom than `minimumHeadroom`: terms marked assumed are
   * estimates that real failures can exceed. Give the target more room or shorten a term.
   */
  public static readonly OBJECTIVE_HEADROOM = 'cdk-resilient-postgres:objectiveHeadroom';

  /**
   * A `ResilienceObjectives` target that the budget meets with its assumed figures but misses once each assumed term is
   * replaced by its measured value (`measured`) where that is larger: a drill or a real failure took longer than the
   * estimate. Raise the estimate to the measured value, shorten the term, or raise the target; acknowledge it when the
   * measurement is known not to repeat.
   */
  public static readonly MEASURED_OBJECTIVE_MISSED = 'cdk-resilient-postgres:measuredObjectiveMissed';

  /**
   * A `CrossRegionReadReplica` whose `instanceType` looks smaller than the source's class: after a promotion the replica
   * carries the whole write load, and an under-sized DR Region turns a Region failure into an outage.
   */
  public static readonly REPLICA_SMALLER_THAN_SOURCE = 'cdk-resilient-postgres:replicaSmallerThanSource';

  /**
   * A `DeployParameters.lookup` whose value is not in the context yet (a synth outside the CDK CLI, or before the
   * lookup has run): the stack holds a placeholder. The CDK CLI looks the value up and synthesizes again, and refuses
   * to deploy when the lookup fails; outside the CLI, the placeholder is in the template. Not meant to be acknowledged:
   * synthesize with the CLI and AWS credentials, and commit `cdk.context.json`.
   */
  public static readonly DEPLOY_PARAMETER_NOT_LOOKED_UP = 'cdk-resilient-postgres:deployParameterNotLookedUp';

  /**
   * A topic given to `DbAlarmSet` (`topic`), `WritableProbe`, `FailoverRunbook` or `MultiRegionPostgres`
   * (`primaryTopic`, `drTopic`) that is not of this app (`sns.Topic.fromTopicArn`), or whose key is not: the library
   * cannot add the statements it gives its own topics, which let CloudWatch alarms (`cloudwatch.amazonaws.com`) and the
   * instance's RDS events (`events.rds.amazonaws.com`) publish, and their key use. The warning lists the statements
   * the topic's access policy and key policy must hold; acknowledge it once they do.
   *
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   */
  public static readonly TOPIC_PERMISSIONS_NOT_ADDED = 'cdk-resilient-postgres:topicPermissionsNotAdded';

  /**
   * A topic of this app that receives alarms or the failover runbook's approval requests and has no subscription in
   * the app: nobody is paged, and an approval request waits until it times out. Give subscribers (`subscriberEmails`,
   * `subscriberUrls`) or subscribe the topic instead of acknowledging it; acknowledge it when the topic is subscribed
   * outside the app.
   */
  public static readonly TOPIC_WITHOUT_SUBSCRIBER = 'cdk-resilient-postgres:topicWithoutSubscriber';

  /**
   * A `WritableProbe` of a cross-Region read replica whose `credentials` may be the source's master secret, when the
   * synth cannot tell whether that secret is replicated to the probe's Region (an imported source or secret, or a name
   * CloudFormation generates). Without a replica there, the probe cannot log in, the DR database never counts as
   * writable, and the writer name never fails over. Check the secret's replica Regions, then acknowledge it.
   *
   * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
   */
  public static readonly SECRET_REPLICATION_UNKNOWN = 'cdk-resilient-postgres:secretReplicationUnknown';

  private constructor() {}
}
