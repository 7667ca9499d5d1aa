import { Token } from 'aws-cdk-lib';
import { PromotedInstanceAttributes, ReplicaPromotion } from '../cross-region-read-replica/replica-promotion';
import { propError } from '../private/errors';
import { validateInstanceIdentifier } from '../private/validation';

/**
 * Where a `MultiRegionPostgres` is in the cycle primary Region → DR Region → primary Region. Each phase adds to the
 * previous one's template: no database, key or secret of an earlier phase leaves the templates, except the DR instance
 * in the one step (`drPromotion: ReplicaPromotion.OUT_OF_BAND_DETACH`) that CloudFormation must forget, with its
 * `Retain` deletion policy, before `cdk import` takes it back. docs/failing-back.md walks through the cycle.
 *
 * Why re-protect replicas are new instances: CloudFormation's RDS handler refuses a change of
 * `SourceDBInstanceIdentifier` other than its removal (`ImmutabilityHelper.isSourceDBInstanceIdentifierMutable`), so a
 * replica cannot be re-pointed at the new writer. A promoted instance can be a replica's source: it has automated
 * backups (a source's backup retention must be greater than 0), and the replica gets its own KMS key in its own Region.
 * A resource removed from a template is deleted unless its `DeletionPolicy` is `Retain`; an import adds resources and
 * changes nothing else.
 *
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/src/main/java/software/amazon/rds/dbinstance/util/ImmutabilityHelper.java
 * @see https://github.com/aws-cloudformation/aws-cloudformation-resource-providers-rds/blob/5a410e843efb90076c1c4d322707bc989e5a058b/aws-rds-dbinstance/aws-rds-dbinstance.json (createOnlyProperties)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html (SourceDBInstanceIdentifier, KmsKeyId)
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html (BackupRetentionPeriod)
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
 * @see https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-import.html
 */
export enum FailbackPhase {
  /** The primary (`<name>-primary`) takes writes; the DR replica (`<name>-dr`) replicates it. As `failback` unset. */
  INITIAL = 'INITIAL',

  /**
   * The DR replica was promoted (by the failover runbook, an operator or CloudFormation) and takes writes. The
   * primary stays in its stack, retained and fenced. The failover runbook and its promotion role leave the DR stack:
   * they would point at the writer. The failover names keep answering the promoted instance through the fence.
   */
  FAILED_OVER = 'FAILED_OVER',

  /**
   * Re-protected: a new cross-Region replica of the promoted DR instance (`reprotectIdentifier`) in the primary's
   * Region, under new construct ids. Once `reprotectEndpointAddress` is given, the failover names have the promoted DR
   * instance as their primary and the new replica as their secondary.
   */
  REPROTECTED = 'REPROTECTED',

  /**
   * A planned switchover (the `SwitchoverRunbook`) fenced the DR instance and promoted the re-protect replica, which
   * takes writes in the primary's Region again. The templates declare that replica promoted (`reprotectPromotion`).
   * The failover names keep the pair of `REPROTECTED`: the writer name answers the re-protect instance once the DR
   * instance fails its writable probe (stopped or unreachable; a read-only fence does not fail it), and in
   * `REPROTECTED_AGAIN` the names have the re-protect instance as their primary.
   */
  SWITCHED_BACK = 'SWITCHED_BACK',

  /**
   * Re-protected again: a new cross-Region replica of the re-protect instance (`reprotectAgainIdentifier`) in the DR
   * Region, with its own writable probe, alarms and a failover runbook that may promote it. The failover names have the
   * re-protect instance as their primary and the new replica as their secondary, fenced as in `INITIAL`.
   */
  REPROTECTED_AGAIN = 'REPROTECTED_AGAIN',
}

/** The phase of a `MultiRegionPostgres` in the failback cycle, and the settings of its re-protect replicas. */
export interface FailbackOptions {
  /** The current phase. */
  readonly phase: FailbackPhase;

  /**
   * What the DR stack declares for the DR instance (`<name>-dr`) from `FAILED_OVER` on (`CrossRegionReadReplica`
   * `promotion`). After the failover runbook promoted it: `OUT_OF_BAND_DETACH`, then `OUT_OF_BAND_IMPORT` with
   * `cdk import`, then `PROMOTED`. From `REPROTECTED` on, only `PROMOTED`: the re-protect replica's source is an
   * instance the stack manages.
   *
   * @default ReplicaPromotion.PROMOTED
   */
  readonly drPromotion?: ReplicaPromotion;

  /**
   * The promoted DR instance as `aws rds describe-db-instances` reports it, required while `drPromotion` is
   * `OUT_OF_BAND_DETACH` or `OUT_OF_BAND_IMPORT` (`CrossRegionReadReplica` `promotedInstance`).
   *
   * @default - none
   */
  readonly drPromotedInstance?: PromotedInstanceAttributes;

  /**
   * The DB instance identifier of the re-protect replica in the primary's Region, from `REPROTECTED` on: a new literal
   * identifier, different from `<name>-primary`, `<name>-dr` and `reprotectAgainIdentifier`. RDS identifiers are unique
   * per account and Region, and the retained primary still holds its own.
   *
   * @default - required from `REPROTECTED` on
   */
  readonly reprotectIdentifier?: string;

  /**
   * The re-protect replica's endpoint address (`<reprotectIdentifier>.<id>.<primary Region>.rds.amazonaws.com`, output
   * `ReprotectEndpointAddress` of the primary stack after the deploy that creates it). The DR stack cannot reference
   * the primary stack's resources, so the failover names move to the pair (DR instance, re-protect replica) only once
   * it is given; until then they stay on the pair (primary, DR instance), whose fence keeps the writer name on the DR
   * instance.
   *
   * @default - the failover names stay on the primary and the DR instance
   */
  readonly reprotectEndpointAddress?: string;

  /**
   * What the primary stack declares for the re-protect replica: `REPLICA` in `REPROTECTED`; from `SWITCHED_BACK` on the
   * promoted instance. The `SwitchoverRunbook` promotes it outside CloudFormation, so after a switchover:
   * `OUT_OF_BAND_DETACH`, then `OUT_OF_BAND_IMPORT` with `cdk import`, then `PROMOTED`. In `REPROTECTED_AGAIN`, only
   * `PROMOTED`.
   *
   * @default - REPLICA in `REPROTECTED`, PROMOTED from `SWITCHED_BACK` on
   */
  readonly reprotectPromotion?: ReplicaPromotion;

  /**
   * The promoted re-protect instance, required while `reprotectPromotion` is `OUT_OF_BAND_DETACH` or
   * `OUT_OF_BAND_IMPORT`.
   *
   * @default - none
   */
  readonly reprotectPromotedInstance?: PromotedInstanceAttributes;

  /**
   * The DB instance identifier of the second re-protect replica, in the DR Region, in `REPROTECTED_AGAIN`: a new
   * literal identifier, different from every other one of the pattern (`<name>-dr` is still held by the retained DR
   * instance).
   *
   * @default - required in `REPROTECTED_AGAIN`
   */
  readonly reprotectAgainIdentifier?: string;
}

const ORDER = [
  FailbackPhase.INITIAL, FailbackPhase.FAILED_OVER, FailbackPhase.REPROTECTED, FailbackPhase.SWITCHED_BACK, FailbackPhase.REPROTECTED_AGAIN,
];

/** Whether `phase` is `since` or a later phase of the cycle. */
export function phaseAtLeast(phase: FailbackPhase, since: FailbackPhase): boolean {
  return ORDER.indexOf(phase) >= ORDER.indexOf(since);
}

/** The failback settings, resolved: the defaults filled in and every combination the cycle cannot reach refused. */
export interface ResolvedFailback {
  readonly phase: FailbackPhase;
  readonly drPromotion: ReplicaPromotion;
  readonly reprotectPromotion: ReplicaPromotion;
}

const PROMOTIONS = Object.values(ReplicaPromotion) as string[];

/**
 * Checks the failback settings against the phase, so that every phase's templates follow from the previous one's by
 * adding resources or by the three promotion steps of `CrossRegionReadReplica`, never by replacing one.
 */
export function resolveFailback(construct: string, name: string, primaryRegion: string,
  failback: FailbackOptions | undefined): ResolvedFailback {
  const phase = failback?.phase ?? FailbackPhase.INITIAL;
  if (!ORDER.includes(phase)) {
    throw propError(construct, 'failback.phase', phase, `one of ${ORDER.join(', ')}`);
  }
  const f = failback ?? { phase };
  for (const [prop, value] of [['failback.drPromotion', f.drPromotion], ['failback.reprotectPromotion', f.reprotectPromotion]] as const) {
    if (value !== undefined && !PROMOTIONS.includes(value)) {
      throw propError(construct, prop, value, `one of ${PROMOTIONS.join(', ')}`);
    }
  }
  const failedOver = phaseAtLeast(phase, FailbackPhase.FAILED_OVER);
  const reprotected = phaseAtLeast(phase, FailbackPhase.REPROTECTED);
  const switchedBack = phaseAtLeast(phase, FailbackPhase.SWITCHED_BACK);
  const again = phase === FailbackPhase.REPROTECTED_AGAIN;
  const unexpected = (prop: string, value: unknown, allowed: string): never => {
    throw propError(construct, `failback.${prop}`, typeof value === 'object' ? JSON.stringify(value) : value, allowed);
  };
  if (!failedOver && (f.drPromotion !== undefined || f.drPromotedInstance !== undefined)) {
    unexpected(f.drPromotion !== undefined ? 'drPromotion' : 'drPromotedInstance', f.drPromotion ?? f.drPromotedInstance,
      `unset in ${phase}: the DR instance is a replica until the phase is FAILED_OVER`);
  }
  const drPromotion = f.drPromotion ?? ReplicaPromotion.PROMOTED;
  if (failedOver && drPromotion === ReplicaPromotion.REPLICA) {
    unexpected('drPromotion', drPromotion, `PROMOTED, OUT_OF_BAND_DETACH or OUT_OF_BAND_IMPORT in ${phase}: the DR instance takes writes; `
      + 'a promoted instance cannot become a replica again (RDS has no such operation)');
  }
  if (reprotected && drPromotion !== ReplicaPromotion.PROMOTED) {
    unexpected('drPromotion', drPromotion, `PROMOTED in ${phase}: finish the import of the promoted DR instance (FAILED_OVER) before re-protecting it`);
  }
  if (!reprotected) {
    for (const prop of ['reprotectIdentifier', 'reprotectEndpointAddress', 'reprotectPromotion', 'reprotectPromotedInstance'] as const) {
      if (f[prop] !== undefined) {
        unexpected(prop, f[prop], `unset in ${phase}: the re-protect replica comes with REPROTECTED`);
      }
    }
  }
  if (!again && f.reprotectAgainIdentifier !== undefined) {
    unexpected('reprotectAgainIdentifier', f.reprotectAgainIdentifier, `unset in ${phase}: the second re-protect replica comes with REPROTECTED_AGAIN`);
  }
  const taken = [`${name}-primary`, `${name}-dr`];
  if (reprotected) {
    if (f.reprotectIdentifier === undefined) {
      unexpected('reprotectIdentifier', undefined, `a new literal DB instance identifier in ${phase}`);
    }
    checkNewIdentifier(construct, 'failback.reprotectIdentifier', f.reprotectIdentifier!, taken);
    taken.push(f.reprotectIdentifier!);
  }
  if (again) {
    if (f.reprotectAgainIdentifier === undefined) {
      unexpected('reprotectAgainIdentifier', undefined, 'a new literal DB instance identifier in REPROTECTED_AGAIN');
    }
    checkNewIdentifier(construct, 'failback.reprotectAgainIdentifier', f.reprotectAgainIdentifier!, taken);
  }
  if (f.reprotectEndpointAddress !== undefined) {
    const pattern = new RegExp(`^${f.reprotectIdentifier}\\.[a-z0-9]+\\.${primaryRegion}\\.rds\\.amazonaws\\.com$`);
    if (Token.isUnresolved(f.reprotectEndpointAddress) || !pattern.test(f.reprotectEndpointAddress)) {
      unexpected('reprotectEndpointAddress', f.reprotectEndpointAddress,
        `the literal endpoint address of the re-protect replica, ${f.reprotectIdentifier}.<id>.${primaryRegion}.rds.amazonaws.com (output ReprotectEndpointAddress)`);
    }
  }
  if (again && f.reprotectEndpointAddress === undefined) {
    unexpected('reprotectEndpointAddress', undefined,
      'the literal endpoint address of the re-protect instance in REPROTECTED_AGAIN: the DR stack\'s failover names have it as their primary');
  }
  if (!switchedBack && f.reprotectPromotion !== undefined && f.reprotectPromotion !== ReplicaPromotion.REPLICA) {
    unexpected('reprotectPromotion', f.reprotectPromotion, `REPLICA or unset in ${phase}: the switchover that promotes the re-protect replica comes with SWITCHED_BACK`);
  }
  const reprotectPromotion = f.reprotectPromotion ?? (switchedBack ? ReplicaPromotion.PROMOTED : ReplicaPromotion.REPLICA);
  if (switchedBack && reprotectPromotion === ReplicaPromotion.REPLICA) {
    unexpected('reprotectPromotion', reprotectPromotion, `PROMOTED, OUT_OF_BAND_DETACH or OUT_OF_BAND_IMPORT in ${phase}: the re-protect instance takes writes`);
  }
  if (again && reprotectPromotion !== ReplicaPromotion.PROMOTED) {
    unexpected('reprotectPromotion', reprotectPromotion, 'PROMOTED in REPROTECTED_AGAIN: finish the import of the promoted re-protect instance before re-protecting it');
  }
  return { phase, drPromotion, reprotectPromotion };
}

function checkNewIdentifier(construct: string, prop: string, identifier: string, taken: string[]): void {
  validateInstanceIdentifier(construct, prop, identifier);
  if (taken.includes(identifier.toLowerCase())) {
    throw propError(construct, prop, identifier,
      `a new DB instance identifier, not one of ${taken.join(', ')}: each phase keeps the earlier instances, retained, under their own identifiers`);
  }
}
