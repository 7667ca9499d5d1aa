/**
 * One row of the compatibility matrix (scripts/compat-matrix.sh): synthesizes the reference app
 * (examples/typescript/app.ts, which acknowledges nothing itself, so only the library's own acknowledgements count) and
 * the composed app (examples/typescript/composed-app.ts) with the four cdk-nag packs, on the aws-cdk-lib installed next
 * to this file, and writes OUTDIR/result.json: per app, the templates synthesized and the unacknowledged findings per
 * validation plugin.
 *
 * Usage: ts-node scripts/compat-matrix.ts OUTDIR (with the context of examples/cdk.json in CDK_CONTEXT_JSON)
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Finding, synthWithCompliancePacks } from './compliance';
import { defineApp } from '../examples/typescript/app';
import { defineComposedApp } from '../examples/typescript/composed-app';

interface AppResult {
  /** The number of CloudFormation templates in the cloud assembly. */
  readonly templates: number;
  /** Unacknowledged findings per validation plugin (cdk-nag pack, or aws-cdk-lib's built-in rules). */
  readonly findings: Record<string, number>;
  /** `<plugin> <rule> <construct path>` of each unacknowledged finding. */
  readonly details: string[];
}

function run(outdir: string, define: (app: App) => Stack[]): AppResult {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir });
  define(app);
  // aws-cdk-lib runs each plugin once per environment (account and Region) and cdk-nag checks the whole app each time,
  // so a finding can be listed once per environment: each counts once.
  const found = new Map<string, Finding>();
  for (const f of synthWithCompliancePacks(app)) {
    found.set(`${f.pluginName} ${f.ruleName} ${f.constructPath}`, f);
  }
  const findings: Record<string, number> = {};
  for (const f of found.values()) {
    findings[f.pluginName] = (findings[f.pluginName] ?? 0) + 1;
  }
  return {
    templates: fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).length,
    findings,
    details: [...found.keys()],
  };
}

const out = process.argv[2];
if (!out) {
  throw new Error('usage: compat-matrix.ts OUTDIR');
}
fs.mkdirSync(out, { recursive: true });
const result = {
  // The release the apps really loaded, which the table prints.
  awsCdkLib: JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf-8')).version as string,
  reference: run(path.join(out, 'reference'), defineApp),
  composed: run(path.join(out, 'composed'), defineComposedApp),
};
fs.writeFileSync(path.join(out, 'result.json'), `${JSON.stringify(result)}\n`);
