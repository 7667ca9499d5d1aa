import { multiRegion } from './builders';
import type { RejectionRow } from './table';
import { FailbackPhase, ReplicaPromotion } from '../../src';

const P = 'MultiRegionPostgres' as const;
const CYCLE_RULE = 'library: each phase follows from the previous one by adding resources or by a promotion step, never by replacing one';
const PROMOTE = 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html';
const IMPORT = 'https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-import.html';
const DR_ENDPOINT = 'orders-dr.c9d8e7f6a5b4.us-west-2.rds.amazonaws.com';
const FB1_ENDPOINT = 'orders-fb1.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com';

/** The failback settings `MultiRegionPostgres` refuses (docs/failing-back.md, section `Failback`). */
export const FAILBACK_REJECTIONS: RejectionRow[] = [
  ...(['regionDrill', 'azDrill'] as const).map((prop): RejectionRow => ({
    construct: P,
    prop,
    shown: 'true',
    allowed: 'unset or false in failback phase FAILED_OVER',
    readme: 'set in a failback phase after `INITIAL`',
    source: 'library: the drills rehearse the initial layout, a Multi-AZ primary and its DR replica',
    build: multiRegion({ [prop]: true, failback: { phase: FailbackPhase.FAILED_OVER } }),
  })),
  {
    construct: P,
    prop: 'failback.phase',
    shown: "'LATER'",
    allowed: 'one of INITIAL, FAILED_OVER',
    readme: 'a phase that is not a `FailbackPhase`',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: 'LATER' as FailbackPhase } }),
  },
  {
    construct: P,
    prop: 'failback.drPromotion',
    shown: "'PROMOTED'",
    allowed: 'unset in INITIAL',
    readme: 'a promotion step of the DR instance before `FAILED_OVER`',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: FailbackPhase.INITIAL, drPromotion: ReplicaPromotion.PROMOTED } }),
  },
  {
    construct: P,
    prop: 'failback.drPromotion',
    shown: "'REPLICA'",
    allowed: 'a promoted instance cannot become a replica again',
    readme: '`REPLICA` from `FAILED_OVER` on',
    source: PROMOTE,
    build: multiRegion({ failback: { phase: FailbackPhase.FAILED_OVER, drPromotion: ReplicaPromotion.REPLICA } }),
  },
  {
    construct: P,
    prop: 'failback.drPromotion',
    shown: "'OUT_OF_BAND_IMPORT'",
    allowed: 'finish the import of the promoted DR instance',
    readme: 'a DR instance not yet imported back (`OUT_OF_BAND_*`) from `REPROTECTED` on',
    source: IMPORT,
    build: multiRegion({
      failback: {
        phase: FailbackPhase.REPROTECTED,
        drPromotion: ReplicaPromotion.OUT_OF_BAND_IMPORT,
        drPromotedInstance: { endpointAddress: DR_ENDPOINT },
        reprotectIdentifier: 'orders-fb1',
      },
    }),
  },
  {
    construct: P,
    prop: 'failback.reprotectIdentifier',
    shown: "'orders-fb1'",
    allowed: 'the re-protect replica comes with REPROTECTED',
    readme: 're-protect settings before `REPROTECTED`',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: FailbackPhase.FAILED_OVER, reprotectIdentifier: 'orders-fb1' } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectIdentifier',
    shown: '(unset)',
    allowed: 'a new literal DB instance identifier in REPROTECTED',
    readme: 'no `reprotectIdentifier` from `REPROTECTED` on',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: FailbackPhase.REPROTECTED } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectIdentifier',
    shown: "'orders-dr'",
    allowed: 'a new DB instance identifier, not one of orders-primary, orders-dr',
    readme: 'an identifier the pattern already uses (`<name>-primary`, `<name>-dr`, the other re-protect replica)',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
    build: multiRegion({ failback: { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders-dr' } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectAgainIdentifier',
    shown: "'orders-fb1'",
    allowed: 'a new DB instance identifier, not one of orders-primary, orders-dr, orders-fb1',
    readme: 'an identifier the pattern already uses (`<name>-primary`, `<name>-dr`, the other re-protect replica)',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
    build: multiRegion({
      failback: { phase: FailbackPhase.REPROTECTED_AGAIN, reprotectIdentifier: 'orders-fb1', reprotectEndpointAddress: FB1_ENDPOINT, reprotectAgainIdentifier: 'orders-fb1' },
    }),
  },
  {
    construct: P,
    prop: 'failback.reprotectIdentifier',
    shown: "'orders--fb1'",
    allowed: 'no two consecutive hyphens',
    readme: 'a malformed `reprotectIdentifier` or `reprotectAgainIdentifier`',
    source: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html',
    build: multiRegion({ failback: { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders--fb1' } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectEndpointAddress',
    shown: "'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com'",
    allowed: 'the literal endpoint address of the re-protect replica, orders-fb1.<id>.us-east-1.rds.amazonaws.com',
    readme: 'a `reprotectEndpointAddress` that is not `<reprotectIdentifier>.<id>.<primary Region>.rds.amazonaws.com`',
    source: 'library: the DR stack can name the primary stack\'s instance only by a literal, and the writer name must point at the re-protect replica',
    build: multiRegion({
      failback: { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders-fb1', reprotectEndpointAddress: 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com' },
    }),
  },
  {
    construct: P,
    prop: 'failback.reprotectEndpointAddress',
    shown: '(unset)',
    allowed: 'the literal endpoint address of the re-protect instance in REPROTECTED_AGAIN',
    readme: 'no `reprotectEndpointAddress` in `REPROTECTED_AGAIN`',
    source: 'library: the DR stack can name the primary stack\'s instance only by a literal, and the writer name must point at the re-protect replica',
    build: multiRegion({ failback: { phase: FailbackPhase.REPROTECTED_AGAIN, reprotectIdentifier: 'orders-fb1', reprotectAgainIdentifier: 'orders-fb2' } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectPromotion',
    shown: "'PROMOTED'",
    allowed: 'REPLICA or unset in REPROTECTED',
    readme: 'a promoted re-protect replica before `SWITCHED_BACK`',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: FailbackPhase.REPROTECTED, reprotectIdentifier: 'orders-fb1', reprotectPromotion: ReplicaPromotion.PROMOTED } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectPromotion',
    shown: "'REPLICA'",
    allowed: 'the re-protect instance takes writes',
    readme: '`REPLICA` for the re-protect replica from `SWITCHED_BACK` on',
    source: PROMOTE,
    build: multiRegion({ failback: { phase: FailbackPhase.SWITCHED_BACK, reprotectIdentifier: 'orders-fb1', reprotectPromotion: ReplicaPromotion.REPLICA } }),
  },
  {
    construct: P,
    prop: 'failback.reprotectPromotion',
    shown: "'OUT_OF_BAND_DETACH'",
    allowed: 'finish the import of the promoted re-protect instance',
    readme: 'a re-protect instance not yet imported back (`OUT_OF_BAND_*`) in `REPROTECTED_AGAIN`',
    source: IMPORT,
    build: multiRegion({
      failback: {
        phase: FailbackPhase.REPROTECTED_AGAIN,
        reprotectIdentifier: 'orders-fb1',
        reprotectEndpointAddress: FB1_ENDPOINT,
        reprotectAgainIdentifier: 'orders-fb2',
        reprotectPromotion: ReplicaPromotion.OUT_OF_BAND_DETACH,
        reprotectPromotedInstance: { endpointAddress: FB1_ENDPOINT },
      },
    }),
  },
  {
    construct: P,
    prop: 'failback.reprotectAgainIdentifier',
    shown: "'orders-fb2'",
    allowed: 'the second re-protect replica comes with REPROTECTED_AGAIN',
    readme: 're-protect settings before `REPROTECTED`',
    source: CYCLE_RULE,
    build: multiRegion({ failback: { phase: FailbackPhase.SWITCHED_BACK, reprotectIdentifier: 'orders-fb1', reprotectAgainIdentifier: 'orders-fb2' } }),
  },
];

