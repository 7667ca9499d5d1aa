import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { TlsVersion } from './tls';

/** Settings every PostgreSQL DB instance of this library takes, primary or replica: placement, TLS, authentication, monitoring, protection. */
export interface PostgresInstanceOptions {
  /** The VPC to place the instance in. */
  readonly vpc: ec2.IVpc;

  /**
   * Where to place the instance. Public subnets are rejected.
   *
   * @default - the VPC's isolated subnets if it has any, otherwise its private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Enforce TLS for every client connection (`rds.force_ssl = 1`). Turning it off needs `acknowledgeTlsNotEnforced`.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
   */
  readonly enforceTls?: boolean;

  /**
   * Set to `true` to confirm that clients may connect without TLS (`enforceTls: false`).
   *
   * @default false
   */
  readonly acknowledgeTlsNotEnforced?: boolean;

  /**
   * The lowest TLS version the server accepts (`ssl_min_protocol_version`).
   *
   * @default TlsVersion.TLS_1_2
   */
  readonly minimumTlsVersion?: TlsVersion;

  /**
   * Extra parameters for the instance's parameter group. The TLS parameters are managed by `enforceTls` and
   * `minimumTlsVersion` and cannot be set here. On a `CrossRegionReadReplica` they are set on top of the parameters
   * it takes from its source (`inheritSourceParameters`).
   *
   * @default - no extra parameters (a `CrossRegionReadReplica`: the source's parameters)
   */
  readonly parameters?: Record<string, string>;

  /**
   * IAM database authentication, so applications can connect with short-lived tokens instead of passwords.
   *
   * @default true
   */
  readonly iamAuthentication?: boolean;

  /**
   * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi` with days `mon`-`sun`, at least 30 minutes.
   *
   * @default - chosen by RDS
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Deletion protection on the instance.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * How long the exported `postgresql` and `upgrade` logs are kept.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Enhanced monitoring interval: 1, 5, 10, 15, 30 or 60 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;

  /**
   * Performance Insights retention.
   *
   * @default PerformanceInsightRetention.DEFAULT (7 days, free tier)
   */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;

  /**
   * Apply minor engine upgrades automatically in the maintenance window.
   *
   * @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;

  /**
   * Clients admitted to the instance on its port, in this Region: security groups (`ec2.ISecurityGroup`, of a stack in
   * the instance's Region) or CIDR ranges (`ec2.Peer.ipv4('10.1.0.0/16')`). Each is the same as
   * `connections.allowDefaultPortFrom(peer)`, which admits more clients later. A `CrossRegionReadReplica` has its own
   * security group, which does not follow the source's: give the DR Region's clients here or through its
   * `connections`, so they can connect after a promotion.
   *
   * @default - none: no ingress until granted through `connections`
   */
  readonly allowedPeers?: ec2.IPeer[];

  /**
   * Whether the instance gets a public DNS name. Only `false` is accepted.
   *
   * @default false
   */
  readonly publiclyAccessible?: boolean;
}
