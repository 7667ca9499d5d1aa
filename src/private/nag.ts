import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records that a cdk-nag finding on `scope` is by design, with the reason a security reviewer reads.
 *
 * Uses aws-cdk-lib's own `Validations.acknowledge`, so the library has no runtime dependency on cdk-nag; the
 * acknowledgement is stored in construct metadata (`aws:cdk:acknowledged-rules`) and shows in the validation report.
 *
 * aws-cdk-lib 2.263.0 to 2.268.x refuse an ID with a second '::' (`InvalidValidationId`: "The '::' delimiter is
 * reserved"), which every finding with a detail has (`AwsSolutions::AwsSolutions-IAM4[Policy::...]`). There the
 * acknowledgement goes into the same metadata under the finding's own ID (`AwsSolutions-IAM4[Policy::...]`), on the
 * same scope: cdk-nag 3 reads that metadata on the resource and its ancestors, matches the finding's ID exactly and
 * reports nothing for it there, so the finding is acknowledged on `scope` for that detail only, as on newer releases.
 * The difference on those releases: the validation report does not list the finding as acknowledged, because cdk-nag
 * never reports it. (Releases before 2.271.0 also match every acknowledgement, this one and those
 * `Validations.acknowledge` records, by its ID across the whole app when they filter the report; docs/compatibility.md.)
 */
export function acknowledge(scope: IConstruct, reason: string, ...ruleIds: string[]): void {
  for (const ruleId of ruleIds) {
    const id = `${packOf(ruleId)}::${ruleId}`;
    try {
      Validations.of(scope).acknowledge({ id, reason });
    } catch (e) {
      if (!isRefusedId(e)) {
        throw e;
      }
      scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [ruleId]: reason });
    }
  }
}

/** aws-cdk-lib 2.263.0 to 2.268.x: `InvalidValidationId`, "The '::' delimiter is reserved for separating the prefix...". */
function isRefusedId(e: unknown): boolean {
  return e instanceof Error && /InvalidValidationId|delimiter is reserved/.test(`${e.name} ${e.message}`);
}

/** The validation plugin (cdk-nag pack) that reports a rule: `AwsSolutions-RDS11` is reported by `AwsSolutions`. */
function packOf(ruleId: string): string {
  const pack = ruleId.slice(0, ruleId.indexOf('-'));
  if (pack.length === 0) {
    throw new Error(`cannot tell the cdk-nag pack of rule '${ruleId}'`);
  }
  return pack;
}

/** The three compliance packs name many rules alike; this expands one rule name to all packs that carry it. */
export function inPacks(rule: string, packs: readonly string[] = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']): string[] {
  return packs.map((pack) => `${pack}-${rule}`);
}
