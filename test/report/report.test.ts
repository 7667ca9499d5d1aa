import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import { synthIntegApp, synthUserApp, tempDir } from './fixtures';
import { expectSvgLayoutSound, expectWellFormedXml } from './svg-checks';
import { AzFailoverDrill, DbAlarmSet } from '../../src';
import { architecture } from '../../src/report/architecture';
import { readAssembly } from '../../src/report/assembly';
import { Report, buildReport } from '../../src/report/report';
import { renderSvg } from '../../src/report/svg';
import { StackTemplate } from '../../src/report/template';
import { dbStack } from '../util';

/** A section of the Markdown report: from its heading to the next heading of the same level. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const level = heading.split(' ')[0];
  const next = markdown.slice(start + 1).search(new RegExp(`\\n${level} `));
  return next < 0 ? markdown.slice(start) : markdown.slice(start, start + 1 + next);
}

describe('the report of the integration app (three stacks in two Regions)', () => {
  let dir: string;
  let stacks: StackTemplate[];
  let report: Report;
  beforeAll(() => {
    dir = tempDir('report-integ-');
    synthIntegApp(dir);
    stacks = readAssembly(dir);
    report = buildReport(stacks);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads every stack of the assembly with its environment', () => {
    expect(stacks.map((s) => [s.stackName, s.region, s.account])).toEqual(expect.arrayContaining([
      ['integ-two-region-dr-foundation', 'us-west-2', '111111111111'],
      ['integ-two-region-primary', 'us-east-1', '111111111111'],
      ['integ-two-region-dr', 'us-west-2', '111111111111'],
    ]));
  });

  test('keeps the sections read back from the templates', () => {
    for (const heading of ['## Stack integ-two-region-primary', '### Security defaults in force: integ-orders-primary', '## Recovery data per Region',
      '## Failover names and health signals', '## Failover runbook', '## Who gets paged', '## Drills and switchover', '## Monthly cost estimate per Region', '## Pre-deploy checklist',
      '## Architecture']) {
      expect(report.markdown).toContain(heading);
    }
  });

  test('who gets paged: both alarm topics, their publishers, and nobody subscribed', () => {
    expect(report.paging.topics).toHaveLength(2);
    for (const topic of report.paging.topics) {
      expect(topic.subscriptions).toEqual([]);
      expect(topic.publishers.filter((p) => p.kind === 'event subscription')).toHaveLength(1);
    }
    const dr = report.paging.topics.find((t) => t.stack.stackName === 'integ-two-region-dr')!;
    expect(dr.publishers.filter((p) => p.kind === 'alarm')).toHaveLength(18);
    expect(dr.publishers.filter((p) => p.kind === 'state machine')).toHaveLength(1);
    const paged = section(report.markdown, '## Who gets paged');
    expect(paged.match(/NO: nobody is paged/g)).toHaveLength(2);
    // The alarm summary says that no alarm reaches anybody, instead of "every alarm has an action".
    expect(report.markdown).toContain('| integ-two-region-dr | 18 | 0 of 18 (NOT ALL) |');
    expect(report.markdown).not.toContain('every alarm has an action');
  });

  test('the cost estimate has a table per Region whose total is the sum of its lines', () => {
    expect(report.costs.map((c) => c.region)).toEqual(['us-east-1', 'us-west-2']);
    for (const c of report.costs) {
      const cents = c.lines.reduce((s, l) => s + Math.round(l.monthlyUsd * 100), 0);
      expect(Math.round(c.totalUsd * 100)).toBe(cents);
      expect(section(report.markdown, `### ${c.region}`)).toContain(`| **total** | | | | **$${c.totalUsd.toFixed(2)}** | |`);
    }
    const east = report.costs.find((c) => c.region === 'us-east-1')!;
    const instance = east.lines.find((l) => l.item.startsWith('RDS integ-orders-primary: db.m7g.large Multi-AZ'))!;
    expect(instance.quantity).toBe(2 * 730);
    expect(instance.monthlyUsd).toBeCloseTo(2 * 730 * instance.usdPerUnit, 2);
    const west = report.costs.find((c) => c.region === 'us-west-2')!;
    expect(west.lines.find((l) => l.item.startsWith('Route 53 health checks'))?.quantity).toBe(11);
    expect(west.lines.find((l) => l.item.startsWith('RDS integ-orders-primary: replicated automated backups'))?.quantity).toBe(100);
    expect(report.markdown).toContain('it excludes data transfer');
  });

  test('the checklist flags the example account', () => {
    expect(report.placeholders.some((f) => f.rule === 'example-account' && f.placeholder === '111111111111' && f.where === 'environment')).toBe(true);
  });

  test('the SVG has one box per Region, sound geometry, and parses as XML', () => {
    const layout = renderSvg(architecture(stacks));
    expect(layout.regions.map((r) => r.region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(layout.boxes.length).toBeGreaterThanOrEqual(6);
    expectSvgLayoutSound(layout);
    expectWellFormedXml(report.svg);
    expect(report.svg).toBe(layout.svg);
  });
});

describe('the report of a user app in a Stage', () => {
  let dir: string;
  let report: Report;
  beforeAll(() => {
    dir = tempDir('report-user-');
    synthUserApp(dir);
    report = buildReport(readAssembly(dir));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads the nested assembly of the Stage', () => {
    expect(report.markdown).toContain('## Stack Prod-Ops (eu-west-1, account 123456789012)');
  });

  test('finds the e-mail subscription, and flags the topic nobody subscribes to', () => {
    const oncall = report.paging.topics.find((t) => t.name === 'oncall')!;
    expect(oncall.subscriptions).toEqual([{ protocol: 'email', endpoint: 'oncall@example.com', declaredAs: 'resource' }]);
    expect(oncall.publishers.map((p) => p.name)).toEqual(['app-errors']);
    const paged = section(report.markdown, '## Who gets paged');
    expect(paged).toContain('| Prod-Ops (eu-west-1) | oncall | email: oncall@example.com | 1 alarm (app-errors) | yes |');
    expect(paged).toContain('| Prod-Ops (eu-west-1) | silent | - | 1 alarm (app-latency) | **NO: nobody is paged** |');
    expect(report.markdown).toContain('| Prod-Ops | 2 | 1 of 2 (NOT ALL) |');
  });

  test('flags the example account, the example.com e-mail, the lookup dummy and the made-up VPC ID', () => {
    const flagged = report.placeholders.map((f) => `${f.rule} ${f.placeholder}`);
    expect(flagged).toEqual(expect.arrayContaining([
      'example-account 123456789012', 'example-domain oncall@example.com', 'cdk-dummy-lookup vpc-12345', 'made-up-id vpc-0a1b2c3d4e5f60718',
    ]));
    const checklist = section(report.markdown, '## Pre-deploy checklist');
    for (const rule of ['example-account', 'example-domain', 'cdk-dummy-lookup', 'made-up-id']) expect(checklist).toContain(`\`${rule}\`:`);
  });

  test('prices a Region the table does not list at the us-east-1 price, and says so', () => {
    const [eu] = report.costs;
    expect(eu.region).toBe('eu-west-1');
    expect(eu.lines.find((l) => l.item === 'CloudWatch alarms (high resolution)')?.quantity).toBe(1);
    expect(eu.lines.find((l) => l.item === 'CloudWatch alarms (standard resolution)')?.note).toContain('us-east-1 price');
  });
});

test('a directory without manifest.json is not a cloud assembly', () => {
  const dir = tempDir('report-empty-');
  try {
    expect(() => readAssembly(dir)).toThrow(/is not a cloud assembly: .*manifest\.json does not exist/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('the drills section', () => {
  function reportOf(build: () => App): string {
    const dir = build().synth().directory;
    try {
      return buildReport(readAssembly(dir)).markdown;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('an app without drills says so', () => {
    const markdown = reportOf(() => dbStack({ instanceIdentifier: 'orders-primary' }).app);
    expect(section(markdown, '## Drills and switchover')).toContain('No drill or switchover resources in this app.');
  });

  test('an AzFailoverDrill shows its FIS action, its target by identifier, its stop conditions by alarm name and its logs, and its measurement workflow', () => {
    const markdown = reportOf(() => {
      const { app, stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
      const alarms = new DbAlarmSet(stack, 'Alarms', { instance: db, subscriberEmails: ['oncall@example.com'] });
      new AzFailoverDrill(stack, 'Drill', { instance: db, stopConditionAlarms: [alarms.alarms.FreeStorageSpace] });
      return app;
    });
    const drills = section(markdown, '## Drills and switchover');
    expect(drills).toMatch(/\| \w+ \(stack \S+, us-east-1\) \| FIS experiment template \| `aws:rds:reboot-db-instances` \(forceFailover=true\) \| aws:rds:db: orders-primary \| `orders-primary-free-storage-space[^`]*` \| CloudWatch Logs \|/);
    expect(drills).toMatch(/\| orders-primary-az-drill-measurement \(stack \S+, us-east-1\) \| AzFailoverDrill: measures each AZ drill against the AZ RTO objective \| `fis:getExperiment`, `cloudwatch:getMetricData`, `cloudwatch:putMetricData` \| \d+ states; started by the end of each FIS experiment of the drill \| - \| CloudWatch Logs \(ALL\) \|/);
    expect(drills).not.toContain('No drill or switchover resources');
    // The architecture names the workflow for what it is, not as a failover runbook.
    expect(section(markdown, '## Architecture')).toContain('[["AZ drill measurement<br/>orders-primary-az-drill-measurement"]]');
    expect(section(markdown, '## Architecture')).not.toContain('failover runbook<br/>orders-primary-az-drill-measurement');
  });
});
