/**
 * One benchmark run, in its own process: builds and synthesizes one app and prints a JSON line with the synth wall
 * time (construction and synthesis, after the modules are loaded), the process's peak RSS and the resources per stack.
 * Usage: run-one.ts reference [<definition out>] | handwritten <definition> | pairs <N>
 * `reference` with a path also writes the runbook's state machine definition there, for the hand-written app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
// The compiled library, as the reference app loads it (node_modules/cdk-resilient-postgres links to the repository).
import { defineHandwrittenApp } from './handwritten';
import { defineApp } from '../../examples/typescript/app';
import { MultiRegionPostgres } from '../../lib';

const [kind, arg] = process.argv.slice(2);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'crp-bench-'));
const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'cdk.json'), 'utf-8')).context;

/** N database pairs, each a MultiRegionPostgres in its own primary and DR stacks. */
function definePairs(app: App, n: number): void {
  for (let i = 1; i <= n; i++) {
    const primary = new Stack(app, `Db${i}Primary`, { env: { account: '111111111111', region: 'us-east-1' } });
    const dr = new Stack(app, `Db${i}Dr`, { env: { account: '111111111111', region: 'us-west-2' } });
    new MultiRegionPostgres(primary, 'Db', {
      drScope: dr,
      name: `db${i}`,
      zoneName: `db${i}.internal`,
      drBackupKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10',
      drSecretKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64',
      primaryEndpointAddress: `db${i}-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com`,
      primaryVpcId: 'vpc-0a1b2c3d4e5f60718',
      approvalTimeout: Duration.minutes(15),
    });
  }
}

const started = process.hrtime.bigint();
const app = new App({ outdir, context });
if (kind === 'reference') {
  defineApp(app);
} else if (kind === 'handwritten') {
  defineHandwrittenApp(app, fs.readFileSync(arg, 'utf-8'));
} else if (kind === 'pairs') {
  definePairs(app, Number(arg));
} else {
  throw new Error(`unknown kind ${kind}`);
}
const assembly = app.synth();
const synthMs = Number(process.hrtime.bigint() - started) / 1e6;
if (kind === 'reference' && arg) {
  const machine = Object.values(assembly.getStackByName('OrdersDr').template.Resources as Record<string, { Type: string; Properties: any }>)
    .find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  fs.writeFileSync(arg, machine!.Properties.DefinitionString);
}
const resources: Record<string, Record<string, number>> = {};
for (const stack of assembly.stacks) {
  const counts: Record<string, number> = {};
  for (const r of Object.values(stack.template.Resources as Record<string, { Type: string }>)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  resources[stack.stackName] = counts;
}
fs.rmSync(outdir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ kind, arg, synthMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, resources }) + '\n');
