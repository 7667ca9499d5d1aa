import { Annotations, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records that a cdk-nag finding on `scope` is by design, with the reason a security reviewer reads.
 *
 * Uses aws-cdk-lib's own `Validations.acknowledge`, so the library has no runtime dependency on cdk-nag; the
 * acknowledgement is stored in construct metadata (`aws:cdk:acknowledged-rules`) and shows in the validation report.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ruleIds: string[]): void {
  for (const ruleId of ruleIds) {
    const id = `${packOf(ruleId)}::${ruleId}`;
    try {
      Validations.of(scope).acknowledge({ id, reason });
    } catch (e) {
      // aws-cdk-lib 2.263.0 to 2.268.x reject a '::' inside the rule name, which cdk-nag uses for findings with a
      // detail (`AwsSolutions-IAM4[Policy::...]`). The construct still works there (docs/compatibility.md).
      if (!/InvalidValidationId|delimiter is reserved/.test(`${(e as Error).name} ${(e as Error).message}`)) {
        throw e;
      }
      Annotations.of(scope).addInfo(
        `cdk-resilient-postgres could not record the acknowledgement '${id}' on this aws-cdk-lib version `
        + `(2.269.0 or newer accepts it). Reason: ${reason}`);
    }
  }
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
