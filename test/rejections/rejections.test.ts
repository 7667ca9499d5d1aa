import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IsolatedVpc, MultiAzPostgres, MultiAzPostgresProps } from '../../src';
import { newApp, newStack } from '../util';
import { REJECTIONS, RejectionRow } from './table';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const rows = REJECTIONS.map((row): [string, RejectionRow] => [`${row.construct} ${row.prop} ${row.shown}`, row]);

describe.each([true, false])('with %s for aws-cdk-lib template validation (validateAgainstDefaultRules)', (validate) => {
  test.each(rows)('%s is rejected with the library message', (_name, row) => {
    const app = newApp({ context: { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: validate } });
    // `shown` is the start of the value as the message renders it (a token placeholder is shown up to its number).
    const message = new RegExp(`^${escape(`${row.construct}: invalid ${row.prop} ${row.shown}`)}[^:]*: .*${escape(row.allowed)}`);
    expect(() => {
      row.build(app);
      app.synth();
    }).toThrow(message);
  });
});

describe('the table', () => {
  test('cites AWS or PostgreSQL for every rule', () => {
    for (const row of REJECTIONS) {
      expect(row.source).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|www\.postgresql\.org)\//);
    }
  });
});

/**
 * The README's "What is rejected at synth" section of each construct: one entry (a table row or a paragraph) per prop,
 * which names the rule and the source of every row of the table.
 */
describe('README lists every rejection', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const sectionHeadings: Record<RejectionRow['construct'], RegExp> = {
    MultiRegionPostgres: /^## MultiRegionPostgres\b[\s\S]*?^### What the pattern rejects at synth\n([\s\S]*?)^##/m,
    MultiAzPostgres: /^## MultiAzPostgres\n[\s\S]*?^### What is rejected at synth\n([\s\S]*?)^##/m,
    CrossRegionReadReplica: /^## CrossRegionReadReplica\n[\s\S]*?^### What is rejected at synth\n([\s\S]*?)^##/m,
  };

  function entries(construct: RejectionRow['construct']): string[] {
    const section = sectionHeadings[construct].exec(readme)?.[1];
    expect(section).toBeDefined();
    // Table rows are entries of their own; other text is split into paragraphs.
    return section!.split(/\n(?=\|)|\n\n/).map((entry) => entry.replace(/\s+/g, ' '));
  }

  test.each(rows)('%s', (_name, row) => {
    const matching = entries(row.construct).filter((entry) => entry.includes(`\`${row.prop}\``));
    expect(matching.length).toBeGreaterThan(0);
    expect(matching.some((entry) => entry.includes(row.readme) && entry.includes(row.source))).toBe(true);
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

  test('twice the allocation, capped at the maximum, otherwise', () => {
    const at = (allocatedStorage: number) => Object.values(template({ allocatedStorage }).findResources('AWS::RDS::DBInstance'))[0]
      .Properties.MaxAllocatedStorage;
    expect(at(100)).toBe(200);
    expect(at(50_000)).toBe(65_536);
  });
});
