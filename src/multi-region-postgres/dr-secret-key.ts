import { CfnOutput, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { propError, where } from '../private/errors';
import { KEY_PENDING_WINDOW, resolveKeyRemovalPolicy, warnKeyDestroyed } from '../private/removal';

const CONSTRUCT = 'DrSecretKey';

/**
 * The KMS actions Secrets Manager needs on the key of a replica secret to write the replicated value:
 * `kms:GenerateDataKey` and `kms:Encrypt` (ReplicateSecretToRegions, "Required permissions"), and `kms:DescribeKey`,
 * which the key policy of the AWS managed key `aws/secretsmanager` also allows through Secrets Manager. No
 * `kms:Decrypt`: reading the replica stays with the principals whose IAM policies allow it.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicateSecretToRegions.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 */
const SECRET_REPLICA_KEY_ACTIONS: readonly string[] = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** Properties of a `DrSecretKey`. */
export interface DrSecretKeyProps {
  /**
   * What happens to the key when it leaves the stack or the stack is deleted. The replica secrets it encrypts live in
   * the primary Region's stack, which names this key only by a literal ARN, so nothing in CloudFormation stops its
   * deletion: once it is deleted, the replicas cannot be decrypted, and the DR Region loses the database credentials.
   * `RemovalPolicy.DESTROY` warns (`cdk-resilient-postgres:keyDestroyedWithStack`) and schedules the deletion with the
   * longest waiting period, 30 days (`PendingWindowInDays`).
   *
   * @default RemovalPolicy.RETAIN
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /**
   * Whether the stack outputs the key's ARN (`KeyArn`), the `drSecretKeyArn` of a `MultiRegionPostgres` deployed after
   * it. `cdk deploy --outputs-file` writes it to a file.
   *
   * @default false
   * @see https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html
   */
  readonly outputs?: boolean;
}

/**
 * A customer-managed KMS key in the DR Region for the Secrets Manager secrets replicated into it, such as the master
 * secret of a `MultiRegionPostgres` (`drSecretKeyArn`). It belongs in the DR foundation stack, deployed before the
 * primary Region's stack: the primary secret's replica configuration names this key, and a key made in another Region's
 * stack can only be named by a literal ARN.
 *
 * Its key policy keeps the default statement (the account's IAM policies decide who uses the key) and adds one,
 * modelled on the policy of the AWS managed key `aws/secretsmanager`: any principal of this account may encrypt with it
 * (`kms:Encrypt`, `kms:GenerateDataKey`, `kms:DescribeKey`), only through Secrets Manager in this Region
 * (`kms:ViaService`, `kms:CallerAccount`). Secrets Manager uses a customer-managed key on behalf of the principal that
 * creates or changes the secret value. When the primary stack creates the replica, that is the CloudFormation
 * execution role; when a rotated value is later replicated, the Secrets Manager guide does not say whose permissions
 * are used (the rotation function that changed the primary has no IAM permission on this key). The statement lets
 * either write the replica. Its `kms:ViaService` is the replica Region's Secrets Manager endpoint, as in the policy of
 * that Region's `aws/secretsmanager`, the key replicas without a key of their own are written with.
 * Decrypting (reading the replica) is not in the statement: a reader needs `kms:Decrypt` from its own IAM policy, as
 * the DR probe of `MultiRegionPostgres` has; `MultiRegionPostgres.grantDrSecretRead` gives it to other principals.
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 *
 * @example
 * declare const drFoundation: Stack; // us-west-2, deployed first
 * const secretKey = new DrSecretKey(drFoundation, 'SecretKey');
 * new CfnOutput(drFoundation, 'SecretKeyArn', { value: secretKey.keyArn });
 */
export class DrSecretKey extends Construct {
  /** The key. */
  public readonly key: kms.IKey;
  /** The key's ARN (a deploy-time value: pass its literal, the output, to `drSecretKeyArn`). */
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: DrSecretKeyProps = {}) {
    super(scope, id);
    const construct = where(this, CONSTRUCT);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      throw propError(construct, 'scope', `stack ${stack.stackName}`,
        'a stack with an explicit env (account and region): the key policy names the account and the Secrets Manager endpoint of the Region');
    }
    // Nothing in this stack is encrypted with the key, so there is no removal policy of data to check it against.
    const keyRemovalPolicy = resolveKeyRemovalPolicy({
      construct, keyRemovalPolicy: props.keyRemovalPolicy, dataRemovalPolicy: RemovalPolicy.DESTROY, whatSurvives: '',
    });
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the Secrets Manager secrets replicated into ${stack.region}, such as database master secrets`,
      enableKeyRotation: true,
      removalPolicy: keyRemovalPolicy,
      pendingWindow: keyRemovalPolicy === RemovalPolicy.DESTROY ? KEY_PENDING_WINDOW : undefined,
    });
    if (keyRemovalPolicy === RemovalPolicy.DESTROY) {
      warnKeyDestroyed(this, CONSTRUCT, true,
        'The secrets replicated into this Region with it (MultiRegionPostgres drSecretKeyArn, secretReplicaRegions[].encryptionKey) '
        + 'live in another stack that names the key only by a literal ARN, so CloudFormation does not stop the deletion; once the '
        + 'key is deleted, those replicas cannot be decrypted and the DR Region has no database credentials.');
    }
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowSecretsManagerToWriteReplicaSecretsForThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: [...SECRET_REPLICA_KEY_ACTIONS],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
          'kms:CallerAccount': stack.account,
        },
      },
    }));
    this.key = key;
    this.keyArn = key.keyArn;
    if (props.outputs) {
      new CfnOutput(this, 'KeyArn', {
        value: key.keyArn,
        description: `DrSecretKey of ${stack.region}: MultiRegionPostgres drSecretKeyArn, MultiAzPostgres secretReplicaRegions[].encryptionKey`,
      });
    }
  }
}
