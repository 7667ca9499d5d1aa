import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';

/**
 * A source DB instance made outside this CDK app (or in an app you cannot reference), described by its ARN and the
 * attributes the replica needs at synth time.
 */
export interface ReplicaSourceAttributes {
  /**
   * The source DB instance ARN, a literal such as `arn:aws:rds:us-east-1:111111111111:db:orders-primary`.
   * Its Region must differ from the replica's, and its account must equal the replica's.
   */
  readonly instanceArn: string;

  /** The source engine, with its version: it picks the replica's parameter group family. */
  readonly engine: rds.IInstanceEngine;

  /** The source DB instance class; the replica defaults to it. */
  readonly instanceType: ec2.InstanceType;

  /**
   * The source's storage type; the replica defaults to it.
   *
   * @default StorageType.GP3
   */
  readonly storageType?: rds.StorageType;

  /**
   * The port the source listens on; a replica listens on the same port.
   *
   * @default 5432
   */
  readonly port?: number;

  /**
   * Whether the source's storage is encrypted. An encrypted cross-Region replica needs an encrypted source, so
   * `false` is refused.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html
   */
  readonly storageEncrypted?: boolean;

  /**
   * Whether RDS manages the source's master password in Secrets Manager (`ManageMasterUserPassword`). RDS cannot
   * create a cross-Region read replica of such a source, so `true` is refused.
   *
   * @default false
   */
  readonly masterUserPasswordManagedByRds?: boolean;
}
