/**
 * Runs the four compliance packs and aws-cdk-lib's built-in rules on an app, for the tests and the demo report.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

export const NAG_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'] as const;

export interface Finding {
  /** The validation plugin: a cdk-nag pack, or `CloudFormation-Validate` for aws-cdk-lib's built-in rules. */
  readonly pluginName: string;
  readonly ruleName: string;
  readonly constructPath: string;
}

/**
 * Adds the packs, synthesizes and returns the unacknowledged findings from `<outdir>/validation-report.json`.
 * aws-cdk-lib throws 'Validation failed' when a plugin reports a violation; the report says which.
 */
export function synthWithCompliancePacks(app: App): Finding[] {
  // aws-cdk-lib synthesizes an app once and keeps the result: packs added after a template has been read (Template.fromStack,
  // app.synth()) would never run, and a check without findings would pass without checking anything.
  if ((app as unknown as { assembly?: unknown }).assembly !== undefined) {
    throw new Error('synthWithCompliancePacks: the app was already synthesized, so the packs would not run; check before reading templates');
  }
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app), new PCIDSS321Checks(app));
  let failed = false;
  try {
    app.synth();
  } catch (e) {
    if (!/Validation ?failed/i.test(String(e))) {
      throw e;
    }
    failed = true;
  }
  const reportPath = path.join(app.outdir, 'validation-report.json');
  const findings: Finding[] = [];
  if (fs.existsSync(reportPath)) {
    const report = JSON.parse(fs.readFileSync(reportPath, 'utf-8'));
    for (const plugin of report.pluginReports ?? []) {
      for (const violation of plugin.violations ?? []) {
        for (const c of violation.violatingConstructs ?? []) {
          findings.push({ pluginName: plugin.pluginName, ruleName: violation.ruleName, constructPath: c.constructPath });
        }
      }
    }
  }
  if (failed && findings.length === 0) {
    throw new Error(`synth reported 'Validation failed' but ${reportPath} lists no violation`);
  }
  return findings;
}

/** Every acknowledgement recorded in the construct tree: '<plugin>::<rule id>', construct path and reason. */
export function acknowledgements(root: App): Array<{ id: string; path: string; reason: string }> {
  const out: Array<{ id: string; path: string; reason: string }> = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          out.push({ id, path: c.node.path, reason });
        }
      }
    }
  }
  return out;
}
