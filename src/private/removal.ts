import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError } from './errors';
import { Warnings } from '../common/warnings';

/**
 * The waiting period of a key that CloudFormation may delete: the maximum KMS allows (7-30 days), so a deletion with
 * the stack can still be cancelled (`aws kms cancel-key-deletion`) for 30 days, while the data it encrypts is still there.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html#cfn-kms-key-pendingwindowindays
 */
export const KEY_PENDING_WINDOW = Duration.days(30);

/** What the key removal policy of a construct protects, for its error and warning messages. */
export interface KeyRemovalContext {
  /** The construct class, e.g. `MultiAzPostgres`. */
  readonly construct: string;
  /** The `keyRemovalPolicy` prop as given. */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /** The removal policy of the data the key encrypts inside the stack (the database, the vault), defaulted. */
  readonly dataRemovalPolicy: RemovalPolicy;
  /** What a DESTROY of that data still leaves behind, encrypted with the key, for the error message. */
  readonly whatSurvives: string;
}

/**
 * Checks `keyRemovalPolicy` and returns it defaulted to RETAIN. A key is deleted with its stack only when asked for
 * explicitly (`RemovalPolicy.DESTROY`), and only together with `removalPolicy: RemovalPolicy.DESTROY` of what it
 * encrypts: with RETAIN or SNAPSHOT, the retained instance, its final snapshot or the retained vault would be left
 * encrypted with a deleted key, which KMS documents as unrecoverable.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
 */
export function resolveKeyRemovalPolicy(context: KeyRemovalContext): RemovalPolicy {
  const policy = context.keyRemovalPolicy ?? RemovalPolicy.RETAIN;
  if (policy !== RemovalPolicy.RETAIN && policy !== RemovalPolicy.DESTROY) {
    throw propError(context.construct, 'keyRemovalPolicy', policy,
      'RemovalPolicy.RETAIN (the default) or RemovalPolicy.DESTROY; a KMS key has no snapshot');
  }
  if (policy === RemovalPolicy.DESTROY && context.dataRemovalPolicy !== RemovalPolicy.DESTROY) {
    throw propError(context.construct, 'keyRemovalPolicy', policy,
      `RETAIN while removalPolicy is ${context.dataRemovalPolicy.toUpperCase()}: ${context.whatSurvives} would stay encrypted with a deleted key, `
      + 'which makes it unrecoverable (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html); '
      + 'set removalPolicy: RemovalPolicy.DESTROY as well, or keep the key');
  }
  return policy;
}

/**
 * The acknowledgeable warning of `keyRemovalPolicy: RemovalPolicy.DESTROY`. `consequences` says what is deleted with the
 * stack and what becomes unreadable; `keyCreated` is false when the construct uses a key it was given, which it never deletes.
 */
export function warnKeyDestroyed(scope: Construct, construct: string, keyCreated: boolean, consequences: string): void {
  const key = keyCreated
    ? 'keyRemovalPolicy is DESTROY, so CloudFormation schedules the deletion of the KMS key when it leaves the stack or the stack '
      + `is deleted, with a waiting period of ${KEY_PENDING_WINDOW.toDays()} days. ${consequences} A deleted key cannot be recovered, `
      + 'and neither can the data it encrypted; until the waiting period ends, `aws kms cancel-key-deletion` brings the key back.'
    : `keyRemovalPolicy is DESTROY; the key you passed in (encryptionKey) is not deleted, but ${consequences}`;
  Annotations.of(scope).addWarningV2(Warnings.KEY_DESTROYED_WITH_STACK,
    `${construct} ${scope.node.path}: ${key} If this is intended (a test environment), acknowledge this warning.`);
}

/** The acknowledgeable warning for a database that is deleted with its stack without a final snapshot. */
export function warnDatabaseDestroyed(scope: Construct, construct: string, consequences: string): void {
  Annotations.of(scope).addWarningV2(Warnings.DATABASE_DESTROYED_WITH_STACK,
    `${construct} ${scope.node.path}: removalPolicy is DESTROY, so when the DB instance leaves the stack or the stack is deleted `
    + `(with deletion protection off), RDS deletes it without a final snapshot. ${consequences} `
    + 'If this is intended (a test environment), acknowledge this warning.');
}
