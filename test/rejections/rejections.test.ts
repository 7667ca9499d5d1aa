import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps } from '../../src';
import { newApp, newStack } from '../util';
import { REJECTIONS, RejectionRow, multiAz } from './table';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const rows = REJECTIONS.map((row): [string, RejectionRow] => [`${row.construct} ${row.prop} ${row.shown}`, row]);

describe.each([true, false])('with %s for aws-cdk-lib template validation (validateAgainstDefaultRules)', (validate) => {
  test.each(rows)('%s is rejected with the library message', (_name, row) => {
    const app = newApp({ context: { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: validate } });
    // `shown` is the start of the value as the message renders it (a token as `(a token)`).
    // The message starts with the path of the construct that was given the bad value: `[Primary/Orders] MultiAzPostgres: ...`.
    const message = new RegExp(`^\\[([^\\]]+)\\] ${escape(`${row.construct}: invalid ${row.prop} ${row.shown}`)}[^:]*: .*${escape(row.allowed)}`);
    let error: Error | undefined;
    try {
      row.build(app);
      app.synth();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    const constructPath = message.exec(error!.message)![1];
    const named = app.node.findAll().find((c) => c.node.path === constructPath);
    expect(named?.constructor.name).toBe(row.construct);
    // Where the app holds more than one construct of the type, the row names the one that was given the bad value.
    const sameType = app.node.findAll().filter((c) => c.constructor.name === row.construct);
    if (sameType.length > 1 || row.path !== undefined) {
      expect(constructPath).toBe(row.path);
    }
  });
});

describe('the table', () => {
  test('cites AWS or PostgreSQL, or names the rule as the library\'s own, for every rule', () => {
    for (const row of REJECTIONS) {
      expect(row.source).toMatch(/^(https:\/\/(docs\.aws\.amazon\.com|www\.postgresql\.org)\/\S+|library: \S.*)$/);
    }
  });
});

/**
 * The documentation section each construct's rejections are listed in, by the name of its `<!-- rejections:<name> -->`
 * markers.
 */
const DOC_SECTIONS: Record<RejectionRow['construct'], string> = {
  MultiRegionPostgres: 'MultiRegionPostgres',
  MultiAzPostgres: 'MultiAzPostgres',
  CrossRegionReadReplica: 'CrossRegionReadReplica',
  BackupReplication: 'BackupReplication',
  DrBackupVault: 'BackupReplication',
  DbAlarmSet: 'Route53DbFailover',
  WritableProbe: 'Route53DbFailover',
  Route53DbFailover: 'Route53DbFailover',
  FailoverRunbook: 'FailoverRunbook',
  ResilienceObjectives: 'ResilienceObjectives',
  IsolatedVpc: 'IsolatedVpc',
  AzFailoverDrill: 'AzFailoverDrill',
  SwitchoverRunbook: 'SwitchoverRunbook',
  SwitchoverSqlAgent: 'SwitchoverRunbook',
  RegionFailoverDrill: 'RegionFailoverDrill',
};

/** The section a row is documented in: the failback settings of `MultiRegionPostgres` have their own page. */
function sectionOf(row: RejectionRow): string {
  return row.construct === 'MultiRegionPostgres' && row.prop.startsWith('failback.') ? 'Failback' : DOC_SECTIONS[row.construct];
}

const SECTIONS = [...new Set([...Object.values(DOC_SECTIONS), 'Failback'])];

const root = path.join(__dirname, '..', '..');
const docsDir = path.join(root, 'docs');

/** The pages the rejection sections may be in: README.md and every page of docs/, by their path from the root. */
const pages: Array<[string, string]> = ['README.md', ...fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]
  .map((file) => [file, fs.readFileSync(path.join(root, file), 'utf8')]);

/** The text between `<!-- rejections:<name> start -->` and `<!-- rejections:<name> end -->`, from the one page that has it. */
function rejectionSection(name: string, texts: Array<[string, string]>): string {
  const marker = new RegExp(`<!-- rejections:${name} start -->\\n([\\s\\S]*?)\\n<!-- rejections:${name} end -->`);
  const found = texts.flatMap(([file, text]) => {
    const section = marker.exec(text)?.[1];
    return section === undefined ? [] : [[file, section]];
  });
  if (found.length === 0) {
    throw new Error(`no page (README.md, docs/*.md) has <!-- rejections:${name} start/end --> markers`);
  }
  if (found.length > 1) {
    throw new Error(`<!-- rejections:${name} --> markers are on more than one page: ${found.map(([file]) => file).join(', ')}`);
  }
  return found[0][1];
}

/**
 * The entries of a rejection section: each table row is an entry (the header and its rule are not), other text is
 * split into paragraphs.
 */
function docEntries(name: string): string[] {
  const section = rejectionSection(name, pages);
  const lines = section.split('\n');
  const rule = /^\|(\s*:?-+:?\s*\|)+$/;
  const headers = new Set(lines.flatMap((line, i) => rule.test(line) ? [line, lines[i - 1]] : []));
  return section.split(/\n(?=\|)|\n\n/)
    .filter((entry) => !headers.has(entry))
    .map((entry) => entry.replace(/\s+/g, ' ').trim())
    .filter((entry) => entry !== '');
}

describe('the rejection sections', () => {
  test('a section is found on whichever page holds its markers', () => {
    const text = '<!-- rejections:X start -->\n| `a` | b | c |\n<!-- rejections:X end -->';
    expect(rejectionSection('X', [['README.md', 'no markers'], ['docs/x.md', text]])).toBe('| `a` | b | c |');
  });

  test('a missing section fails', () => {
    expect(() => rejectionSection('X', [['README.md', 'no markers'], ['docs/x.md', '<!-- rejections:X start -->']])).toThrow(/no page/);
  });

  test('a section on two pages fails', () => {
    const text = '<!-- rejections:X start -->\na\n<!-- rejections:X end -->';
    expect(() => rejectionSection('X', [['README.md', text], ['docs/x.md', text]])).toThrow(/more than one page/);
  });

  test.each(SECTIONS)('%s has its markers on exactly one page', (name) => {
    expect(() => rejectionSection(name, pages)).not.toThrow();
  });
});

/**
 * Where a row's rule comes from, as the documentation entry must show it: the URL, or for a rule that is the library's own,
 * the reason after `library: `.
 */
function citation(row: RejectionRow): string {
  return row.source.startsWith('library: ') ? row.source.slice('library: '.length) : row.source;
}

/** Whether a documentation entry names the row's prop, rule and source. */
function describes(entry: string, row: RejectionRow): boolean {
  return entry.includes(`\`${row.prop}\``) && entry.includes(row.readme) && entry.includes(citation(row));
}

/** Every row is in the documentation, in an entry that names its prop, its rule and its source. */
describe('the documentation lists every rejection', () => {
  test.each(rows)('%s', (_name, row) => {
    const entries = docEntries(sectionOf(row));
    expect(entries.filter((entry) => entry.includes(`\`${row.prop}\``)).length).toBeGreaterThan(0);
    expect(entries.some((entry) => describes(entry, row))).toBe(true);
  });
});

/** Every entry of the documentation's rejection sections is a rejection of the table, which the table test runs. */
describe('every documented rejection is in the table', () => {
  const entries = SECTIONS
    .flatMap((name) => docEntries(name).map((entry): [string, string, string] => [`${name}: ${entry.slice(0, 100)}`, name, entry]));

  test.each(entries)('%s', (_label, name, entry) => {
    const candidates = REJECTIONS.filter((row) => sectionOf(row) === name);
    expect(candidates.some((row) => describes(entry, row))).toBe(true);
  });
});

/** Defaults the construct computes must not be values AWS refuses. */
describe('the default storage ceiling is one RDS accepts', () => {
  function template(props: Partial<MultiAzPostgresProps>): Template {
    const stack = newStack(newApp());
    const net = new IsolatedVpc(stack, 'Network');
    new MultiAzPostgres(stack, 'Db', { vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, ...props });
    return Template.fromStack(stack);
  }

  test('no ceiling when the allocation is within 10 % of the 65536 GiB maximum', () => {
    const props = template({ allocatedStorage: 65_000 }).findResources('AWS::RDS::DBInstance');
    const instance = Object.values(props)[0].Properties;
    expect(instance.AllocatedStorage).toBe('65000');
    expect(instance.MaxAllocatedStorage).toBeUndefined();
  });

  test('no ceiling for magnetic storage, which RDS does not autoscale', () => {
    const props = template({ storageType: rds.StorageType.STANDARD, allocatedStorage: 100 }).findResources('AWS::RDS::DBInstance');
    expect(Object.values(props)[0].Properties.MaxAllocatedStorage).toBeUndefined();
  });

  test('with io1 or io2, at most twice the IOPS, so IOPS stay at least 0.5 times the ceiling', () => {
    const at = (props: Partial<MultiAzPostgresProps>) => Object.values(template(props).findResources('AWS::RDS::DBInstance'))[0]
      .Properties.MaxAllocatedStorage;
    expect(at({ storageType: rds.StorageType.IO1, allocatedStorage: 1800, iops: 1000 })).toBe(2000);
    expect(at({ storageType: rds.StorageType.IO2, allocatedStorage: 3000, iops: 1700 })).toBe(3400);
    // aws-cdk-lib provisions 1000 IOPS for io1 and io2 when none are given.
    expect(at({ storageType: rds.StorageType.IO1, allocatedStorage: 700 })).toBe(1400);
    expect(at({ storageType: rds.StorageType.IO1, allocatedStorage: 1500 })).toBe(2000);
  });

  test('no ceiling when io1 or io2 IOPS leave none 10 % above the allocation', () => {
    const props = template({ storageType: rds.StorageType.IO1, allocatedStorage: 2000, iops: 1000 }).findResources('AWS::RDS::DBInstance');
    expect(Object.values(props)[0].Properties.MaxAllocatedStorage).toBeUndefined();
  });

  test('twice the allocation, capped at the maximum, otherwise', () => {
    const at = (allocatedStorage: number) => Object.values(template({ allocatedStorage }).findResources('AWS::RDS::DBInstance'))[0]
      .Properties.MaxAllocatedStorage;
    expect(at(100)).toBe(200);
    expect(at(50_000)).toBe(65_536);
  });
});

/** Values at the edges of the rules are accepted, so the rules do not refuse what AWS takes. */
describe('values at the limits are accepted', () => {
  test.each<[string, Partial<MultiAzPostgresProps>]>([
    ['a 63-character database name with digits and underscores', { databaseName: `orders_2026_${'x'.repeat(51)}` }],
    ['a 16-character master user name', { masterUsername: 'orders_admin_016' }],
    ['a secret name with a path', { secretName: 'orders-primary/master' }],
    ['a ceiling exactly 10 % above the allocation', { allocatedStorage: 1000, maxAllocatedStorage: 1100 }],
    ['gp3 provisioning at the 400 GiB threshold', { allocatedStorage: 400, iops: 12_000, storageThroughput: 500 }],
    ['io1 at 50 IOPS per GiB', { storageType: rds.StorageType.IO1, allocatedStorage: 100, iops: 5000 }],
    ['io1 at 0.5 IOPS per GiB and 1000 IOPS', { storageType: rds.StorageType.IO1, allocatedStorage: 2000, iops: 1000 }],
    ['io1 at 256000 IOPS', { storageType: rds.StorageType.IO1, allocatedStorage: 5120, iops: 256_000 }],
    ['io2 at 1000 IOPS per GiB', { storageType: rds.StorageType.IO2, allocatedStorage: 100, iops: 100_000 }],
    ['io2 at 256000 IOPS', { storageType: rds.StorageType.IO2, allocatedStorage: 256, iops: 256_000 }],
    ['io2 at 0.5 IOPS per GiB', { storageType: rds.StorageType.IO2, allocatedStorage: 2000, iops: 1000 }],
    ['an io1 ceiling of exactly twice the IOPS', { storageType: rds.StorageType.IO1, allocatedStorage: 1000, iops: 1500, maxAllocatedStorage: 3000 }],
    ['gp3 at 0.25 MiB/s per IOPS', { allocatedStorage: 500, iops: 16_000, storageThroughput: 4000 }],
    ['a secret name ending with a hyphen and six characters', { secretName: 'orders-writer' }],
    ['a secret name with a path ending with a hyphen and six characters', { secretName: 'app/db-master' }],
    ['a 30-minute backup window across midnight', { preferredBackupWindow: '23:45-00:15' }],
    ['a maintenance window across midnight and the week', { preferredMaintenanceWindow: 'Sun:23:30-mon:00:30' }],
    ['windows that touch without overlapping', { preferredBackupWindow: '03:00-04:00', preferredMaintenanceWindow: 'sun:04:00-sun:04:30' }],
    ['a rotation every 4 hours', { rotationSchedule: Duration.hours(4) }],
    ['a rotation every 999 days', { rotationSchedule: Duration.days(999) }],
  ])('%s', (_name, props) => {
    expect(() => multiAz(props)(newApp())).not.toThrow();
  });
});

/** With two databases in one app, the message names the one that was given the bad value. */
describe('the message names the construct path', () => {
  test.each([
    ['the first', 'Orders', 'Billing'],
    ['the second', 'Billing', 'Orders'],
  ])('of %s of two databases', (_name, bad, good) => {
    const app = newApp();
    const stack = newStack(app, 'Primary');
    const net = new IsolatedVpc(stack, 'Network');
    const build = (id: string, allocatedStorage: number) => new MultiAzPostgres(stack, id, {
      vpc: net.vpc, secretsManagerEndpoint: net.secretsManagerEndpoint, instanceIdentifier: id.toLowerCase(), allocatedStorage,
    });
    const databases = [[bad, 10], [good, 100]] as const;
    const order = bad === 'Orders' ? databases : [databases[1], databases[0]];
    expect(() => order.forEach(([id, size]) => build(id, size))).toThrow(
      new RegExp(`^\\[Primary/${bad}\\] MultiAzPostgres: invalid allocatedStorage 10: `));
  });
});
