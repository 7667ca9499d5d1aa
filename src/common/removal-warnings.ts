/**
 * The warning id of a database whose `removalPolicy` is `RemovalPolicy.DESTROY`: when it leaves the stack, or the stack
 * is deleted with deletion protection off, RDS deletes it without a final snapshot. Acknowledge it with
 * `Annotations.of(scope).acknowledgeWarning(DATABASE_DESTROY_WARNING, '<reason>')`.
 */
export const DATABASE_DESTROY_WARNING = 'cdk-resilient-postgres:databaseDestroyedWithStack';

/**
 * The warning id of a KMS key whose `keyRemovalPolicy` is `RemovalPolicy.DESTROY`: CloudFormation schedules its
 * deletion with the stack, and once the waiting period ends, whatever it encrypts that outlives the stack (snapshots,
 * retained or replicated automated backups, recovery points, secrets, logs) can no longer be decrypted. Acknowledge it
 * with `Annotations.of(scope).acknowledgeWarning(KEY_DESTROY_WARNING, '<reason>')`.
 */
export const KEY_DESTROY_WARNING = 'cdk-resilient-postgres:keyDestroyedWithStack';
