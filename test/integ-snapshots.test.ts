/**
 * Integration snapshots, integ-runner style: each `test/integ.<case>.ts` is a CDK app whose synthesized templates are
 * committed under `test/integ.<case>.ts.snapshot/<stack>.template.json`. This test synthesizes every case and fails on
 * any difference; `npx projen integ:update` rewrites the snapshots after an intended change.
 *
 * The integ-runner CLI itself is not used: its newest release (2.197.10) bundles a CDK toolkit that reads cloud
 * assembly schema 53, while aws-cdk-lib 2.276.0 writes schema 55 ("AssemblyVersionMismatch").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TEMPLATE_RECORD_DIR } from './util';

const UPDATE = process.env.INTEG_UPDATE === '1';
const cases = fs.readdirSync(__dirname).filter((f) => /^integ\..+\.ts$/.test(f) && !f.endsWith('.test.ts'));

/** Synthesizes one integ app into a fresh directory and returns its templates by file name. */
function synthesize(caseFile: string): Record<string, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // An integ case is a CDK app that synthesizes when it is loaded, as integ-runner runs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(__dirname, caseFile));
    });
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
  }
  const templates: Record<string, unknown> = {};
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort()) {
    templates[file] = normalize(JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8')));
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  return templates;
}

/** Drops what changes with every aws-cdk-lib release without changing the deployment: the CDKMetadata resource. */
function normalize(template: any): any {
  delete template.Resources?.CDKMetadata;
  delete template.Conditions?.CDKMetadataAvailable;
  if (template.Conditions && Object.keys(template.Conditions).length === 0) {
    delete template.Conditions;
  }
  return template;
}

test('there is at least one integration case', () => {
  expect(cases.length).toBeGreaterThan(0);
});

describe.each(cases)('%s', (caseFile) => {
  const snapshotDir = path.join(__dirname, `${caseFile}.snapshot`);
  const templates = synthesize(caseFile);

  if (UPDATE) {
    fs.rmSync(snapshotDir, { recursive: true, force: true });
    fs.mkdirSync(snapshotDir, { recursive: true });
    for (const [file, template] of Object.entries(templates)) {
      fs.writeFileSync(path.join(snapshotDir, file), JSON.stringify(template, undefined, 1) + '\n');
    }
  }

  test('the snapshot has the same stacks', () => {
    expect(fs.existsSync(snapshotDir)).toBe(true);
    expect(Object.keys(templates)).toEqual(fs.readdirSync(snapshotDir).filter((f) => f.endsWith('.template.json')).sort());
  });

  test.each(Object.keys(templates))('%s equals the committed snapshot', (file) => {
    const committed = JSON.parse(fs.readFileSync(path.join(snapshotDir, file), 'utf-8'));
    expect(templates[file]).toEqual(committed);
    // The snapshot templates are linted with the rest (scripts/cfn-lint.sh).
    fs.mkdirSync(TEMPLATE_RECORD_DIR, { recursive: true });
    fs.writeFileSync(path.join(TEMPLATE_RECORD_DIR, `${caseFile.replace(/\W+/g, '-')}--${file}`), JSON.stringify(templates[file]));
  });
});
