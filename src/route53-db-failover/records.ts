import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { withLogicalIdOfPath } from '../private/logical-ids';

/** One failover CNAME record. */
export interface FailoverRecordOptions {
  readonly zone: route53.IHostedZone;
  /** The record's name relative to the zone, e.g. `writer`. */
  readonly name: string;
  readonly zoneName: string;
  readonly failover: route53.Failover;
  /** The DB instance endpoint the name answers with. */
  readonly endpointAddress: string;
  readonly healthCheck: route53.IHealthCheck;
  readonly ttl: Duration;
}

/**
 * A failover CNAME record (`route53.CnameRecord`), set identifier `<name>-primary` or `<name>-secondary`. It keeps
 * the logical ID of the `CfnRecordSet` that earlier releases made at the same path: a new logical ID for a record of
 * the same name would make CloudFormation create the new record before it deletes the old one.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (Failover, SetIdentifier)
 */
export function failoverRecord(scope: Construct, id: string, options: FailoverRecordOptions): route53.CnameRecord {
  return withLogicalIdOfPath(scope, id, (s, i) => new route53.CnameRecord(s, i, {
    zone: options.zone,
    // A fully qualified name (trailing dot) is taken as it is.
    recordName: `${options.name}.${options.zoneName}.`,
    domainName: options.endpointAddress,
    ttl: options.ttl,
    failover: options.failover,
    setIdentifier: `${options.name}-${options.failover.toLowerCase()}`,
    healthCheck: options.healthCheck,
  }));
}
