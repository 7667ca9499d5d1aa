import { Stack, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { IConstruct } from 'constructs';
import { cfnDbInstanceOf, numberOrUndefined } from './db-instance-facts';
import { propError } from './errors';

/**
 * Checks of how the parts are wired together: values that AWS accepts one by one but that, combined, give an outage.
 */

/**
 * The port an instance listens on when it is known at synth: the literal `Port` of its template, else the literal
 * endpoint port of an imported instance. Undefined when neither is a literal.
 */
export function knownPort(instance: rds.IDatabaseInstance): number | undefined {
  const cfn = cfnDbInstanceOf(instance);
  if (cfn) {
    return numberOrUndefined(Stack.of(cfn).resolve(cfn.port));
  }
  let port: string | undefined;
  try {
    port = instance.dbInstanceEndpointPort;
  } catch {
    return undefined;
  }
  return port === undefined || Token.isUnresolved(port) || !/^\d+$/.test(port) ? undefined : Number(port);
}

/**
 * The Region of a literal RDS endpoint address (`<id>.<hash>.<region>.rds.amazonaws.com`, or `.com.cn` in China), or
 * undefined for a token or another host name.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html
 */
export function rdsEndpointRegion(address: string): string | undefined {
  if (Token.isUnresolved(address)) {
    return undefined;
  }
  return /\.([a-z]{2}(-[a-z]+)+-\d+)\.rds\.amazonaws\.com(\.cn)?$/.exec(address.toLowerCase())?.[1];
}

/**
 * Namespaces that AWS's own names live in, which a private hosted zone associated with the VPCs must not cover:
 * the service endpoints (`*.amazonaws.com`, `*.amazonaws.com.cn`, `*.aws` such as `*.on.aws` and `*.api.aws`) and the
 * EC2 private host names (`ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere).
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-hostnames
 */
export const AWS_NAMESPACES: readonly string[] = ['amazonaws.com', 'amazonaws.com.cn', 'aws', 'compute.internal', 'ec2.internal'];

/**
 * The AWS namespace a private zone would shadow, or undefined. A zone shadows a namespace when it is the namespace, a
 * name inside it, or a parent of it (a zone `com` covers `rds.amazonaws.com` as well): Route 53 Resolver answers a
 * name from the most specific matching private hosted zone, and when that zone has no record for it, returns NXDOMAIN
 * instead of asking public DNS, so the RDS endpoint names the failover records point to stop resolving.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html#hosted-zone-private-considerations-public-private-overlapping
 */
export function shadowedAwsNamespace(zoneName: string): string | undefined {
  const zone = zoneName.toLowerCase().replace(/\.$/, '');
  return AWS_NAMESPACES.find((ns) => zone === ns || zone.endsWith(`.${ns}`) || ns.endsWith(`.${zone}`));
}

/** Refuses a private zone name that shadows an AWS namespace (see `shadowedAwsNamespace`). */
export function checkZoneName(construct: string, prop: string, zoneName: string): void {
  const shadowed = shadowedAwsNamespace(zoneName);
  if (shadowed !== undefined) {
    throw propError(construct, prop, zoneName,
      `a name outside AWS's own namespaces (${AWS_NAMESPACES.join(', ')}), such as orders.internal: a private zone that `
      + `covers ${shadowed} answers NXDOMAIN for the AWS names in it (the RDS endpoints the records point to among them) `
      + 'in every VPC it is associated with');
  }
}

/**
 * The parameters whose values on a hot standby must be at least the primary's, or the standby stops replaying WAL
 * (and does not start) until they are raised.
 *
 * @see https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-ADMIN
 */
export const STANDBY_MINIMUM_PARAMETERS: readonly string[] = [
  'max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction',
];

/**
 * The literal parameters of an instance's own parameter group (a `rds.ParameterGroup` created in the app), or
 * undefined when the group is imported, a default group or not a literal.
 */
export function instanceParameters(instance: rds.IDatabaseInstance): Record<string, string> | undefined {
  const cfn = cfnDbInstanceOf(instance);
  if (!cfn) {
    return undefined;
  }
  const stack = Stack.of(cfn);
  const ref = stack.resolve(cfn.dbParameterGroupName);
  const logicalId = typeof ref === 'object' && ref !== null && typeof ref.Ref === 'string' ? ref.Ref : undefined;
  if (logicalId === undefined) {
    return undefined;
  }
  const group = stack.node.findAll().find((c): c is rds.CfnDBParameterGroup =>
    c instanceof rds.CfnDBParameterGroup && stack.resolve(c.logicalId) === logicalId);
  const parameters = group ? stack.resolve(group.parameters) : undefined;
  return typeof parameters === 'object' && parameters !== null ? parameters : undefined;
}

/**
 * The parameters a replica's parameter group starts from: the source's literal parameters (`instanceParameters`),
 * without those that `notInherited` names (the settings the replica's own props manage, such as the TLS parameters).
 *
 * Every other parameter is copied, the primary-only ones included. PostgreSQL's hot standby documentation names the
 * parameters whose value on a standby must be at least the primary's (`STANDBY_MINIMUM_PARAMETERS`: a copy is equal,
 * so it meets the rule). The standby-only ones (`max_standby_archive_delay`, `max_standby_streaming_delay`) have no
 * effect if set on a primary; the ones with a meaning on the primary only (`wal_level`, which RDS manages, and the
 * primary-server replication settings) keep that meaning after a standby becomes the primary, which is what a DR
 * replica is for. PostgreSQL's documentation lets these settings vary across the servers of a cluster, so none is
 * left out on PostgreSQL's account.
 *
 * @see https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-ADMIN
 * @see https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-PARAMETERS
 * @see https://www.postgresql.org/docs/current/runtime-config-replication.html
 */
export function inheritedParameters(source: Record<string, string> | undefined, notInherited: readonly string[]): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(source ?? {})) {
    if (!notInherited.includes(name)) {
      inherited[name] = value;
    }
  }
  return inherited;
}

/**
 * Refuses a replica parameter (from `STANDBY_MINIMUM_PARAMETERS`) set lower than the primary's, when both are literal
 * whole numbers. A value left to RDS's default (or a formula such as `{DBInstanceClassMemory/9531392}`) is not compared.
 *
 * @see https://www.postgresql.org/docs/current/hot-standby.html#HOT-STANDBY-ADMIN
 */
export function checkStandbyParameters(construct: string, prop: string, replica: Record<string, string> | undefined,
  primary: Record<string, string> | undefined): void {
  if (!replica || !primary) {
    return;
  }
  for (const name of STANDBY_MINIMUM_PARAMETERS) {
    const mine = wholeNumber(replica[name]);
    const theirs = wholeNumber(primary[name]);
    if (mine !== undefined && theirs !== undefined && mine < theirs) {
      throw propError(construct, `${prop}.${name}`, replica[name],
        `at least the primary's ${name} (${theirs}): PostgreSQL stops a hot standby whose ${name} is lower than the primary's `
        + '(raise it on the replica first, lower it on the primary first)');
    }
  }
}

function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) {
    return value;
  }
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/** Names claimed in one app, per root construct. */
const CLAIMS = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims a name for `owner` in its app; throws the library message when another construct of the app has claimed it.
 * `key` says where the name must be unique (for example `db:<account>:<region>:<identifier>`).
 */
export function claimName(owner: IConstruct, key: string, construct: string, prop: string, value: string, allowed: string): void {
  const root = owner.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) {
    claims = new Map();
    CLAIMS.set(root, claims);
  }
  const holder = claims.get(key);
  if (holder !== undefined && holder !== owner.node.path) {
    throw propError(construct, prop, value, `${allowed}; ${holder} already uses it`);
  }
  claims.set(key, owner.node.path);
}

/**
 * Call before the DB instance is created, with a scope in its stack; `value` is the prop's value as the user wrote it.
 * Refuses a DB instance identifier already used by another DB instance of the app in the same account and Region
 * (RDS identifiers are unique per account and Region, and case-insensitive): the second stack would fail to deploy,
 * or, with a retained instance of that name, take it over. Instances created later are checked by the app-level
 * validation `validateUniqueDbIdentifiers` adds.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
 */
export function claimDbInstanceIdentifier(scope: IConstruct, construct: string, prop: string, value: string, identifier: string): void {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(identifier)) {
    return;
  }
  const where = `${stack.account}:${stack.region}`;
  for (const other of allDbInstances(scope.node.root)) {
    if (other.where === where && other.identifier === identifier.toLowerCase()) {
      const what = value === identifier ? 'an identifier' : `a value whose DB instance identifier (${identifier}) is one`;
      throw propError(construct, prop, value,
        `${what} no other DB instance of the app uses in account ${stack.account}, Region ${stack.region}; `
        + `${other.cfn.node.path} already uses it (RDS identifiers are unique per account and Region)`);
    }
  }
  validateUniqueDbIdentifiers(scope.node.root);
}

const VALIDATED = new WeakSet<IConstruct>();

/** Adds, once per app, a validation that no two DB instances of one account and Region share an identifier. */
export function validateUniqueDbIdentifiers(root: IConstruct): void {
  if (VALIDATED.has(root)) {
    return;
  }
  VALIDATED.add(root);
  root.node.addValidation({
    validate: () => {
      const seen = new Map<string, string>();
      const errors: string[] = [];
      for (const { cfn, where, identifier } of allDbInstances(root)) {
        const key = `${where}:${identifier}`;
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push(`DB instance identifier '${identifier}' is used by ${first} and ${cfn.node.path} in ${where}: `
            + 'RDS identifiers are unique per account and Region');
        } else {
          seen.set(key, cfn.node.path);
        }
      }
      return errors;
    },
  });
}

function cfnInstancesUnder(scope: IConstruct): rds.CfnDBInstance[] {
  return scope.node.findAll().filter((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance);
}

function allDbInstances(root: IConstruct): { cfn: rds.CfnDBInstance; where: string; identifier: string }[] {
  const found: { cfn: rds.CfnDBInstance; where: string; identifier: string }[] = [];
  for (const cfn of cfnInstancesUnder(root)) {
    const stack = Stack.of(cfn);
    const identifier = stack.resolve(cfn.dbInstanceIdentifier);
    if (typeof identifier !== 'string' || Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      continue;
    }
    found.push({ cfn, where: `${stack.account}:${stack.region}`, identifier: identifier.toLowerCase() });
  }
  return found;
}
