/**
 * The report of a cloud assembly, built from its templates only: the stacks, the security defaults, the recovery data,
 * the failover names and health signals, who gets paged, the drills and switchover workflows, the monthly cost estimate, the pre-deploy checklist and the
 * architecture (Mermaid and SVG). Used by the `cdk-resilient-postgres report` command (cli.ts) and scripts/demo.ts.
 */
import { architecture, mermaid } from './architecture';
import { PLACEHOLDER_RULES, PlaceholderFinding, findPlaceholders } from './checklist';
import { COST_DISCLAIMER, RegionCost, costEstimate } from './cost';
import { drillsSection } from './drills';
import { Paging, paging } from './paging';
import { PRICES, PRICES_AS_OF } from './prices';
import { Out, failoverAndHealthSignals, recoveryDataPerRegion, stackSection } from './sections';
import { renderSvg } from './svg';
import { StackTemplate } from './template';

/** What the caller adds to the report. */
export interface ReportOptions {
  readonly title?: string;
  /** Lines after the title. */
  readonly intro?: string[];
  /** Lines inserted after "Who gets paged" (the demo adds its recovery objectives there). */
  readonly extra?: string[];
  /** Where the Mermaid and SVG files are written, as the report mentions them. */
  readonly mermaidFile?: string;
  readonly svgFile?: string;
}

/** The report and its parts. */
export interface Report {
  readonly markdown: string;
  readonly mermaid: string;
  readonly svg: string;
  readonly paging: Paging;
  readonly costs: RegionCost[];
  readonly placeholders: PlaceholderFinding[];
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** The report of the stacks. */
export function buildReport(stacks: StackTemplate[], options: ReportOptions = {}): Report {
  const lines: string[] = [];
  const out: Out = (s = '') => lines.push(s);
  out(`# ${options.title ?? 'cdk-resilient-postgres report'}`);
  for (const l of options.intro ?? []) {
    out();
    out(l);
  }
  for (const stack of stacks) stackSection(stack, out);
  recoveryDataPerRegion(stacks, out);
  const page = paging(stacks);
  failoverAndHealthSignals(stacks, page, out);
  whoGetsPaged(page, out);
  for (const l of options.extra ?? []) out(l);
  drillsSection(stacks, out);
  const costs = costEstimate(stacks);
  costSection(costs, out);
  const placeholders = findPlaceholders(stacks);
  checklistSection(placeholders, out);
  const arch = architecture(stacks);
  const diagram = mermaid(arch, stacks);
  const svg = renderSvg(arch).svg;
  out();
  out(`## Architecture (drawn from the synthesized templates${options.mermaidFile ? `; also in \`${options.mermaidFile}\`` : ''}${options.svgFile ? `, rendered in \`${options.svgFile}\`` : ''})`);
  out();
  out('```mermaid');
  out(diagram.trimEnd());
  out('```');
  return { markdown: lines.join('\n') + '\n', mermaid: diagram, svg, paging: page, costs, placeholders };
}

function whoGetsPaged(page: Paging, out: Out): void {
  out();
  out('## Who gets paged');
  out();
  out('Per SNS topic: its subscriptions (AWS::SNS::Subscription resources and the topic\'s `Subscription` property) and what publishes to it.');
  out();
  out('| stack (Region) | topic | subscriptions (protocol: endpoint) | published to by | paged |');
  out('|---|---|---|---|---|');
  for (const t of page.topics) {
    const subs = t.subscriptions.map((s) => `${s.protocol}: ${s.endpoint}${s.declaredAs === 'inline' ? ' (inline)' : ''}`).join('; ') || '-';
    const kinds = new Map<string, string[]>();
    for (const p of t.publishers) kinds.set(p.kind, [...(kinds.get(p.kind) ?? []), p.name]);
    const publishers = [...kinds].map(([kind, names]) => `${names.length} ${kind}${names.length > 1 ? 's' : ''} (${names.join(', ')})`).join('; ') || '-';
    out(`| ${t.stack.stackName} (${t.stack.region}) | ${t.name} | ${subs} | ${publishers} | ${t.subscriptions.length > 0 ? 'yes' : '**NO: nobody is paged**'} |`);
  }
  for (const [arn, publishers] of page.externalTopics) {
    out(`| - | ${arn} (not in this assembly) | unknown | ${publishers.map((p) => p.name).join(', ')} | unknown |`);
  }
  if (page.topics.length === 0 && page.externalTopics.size === 0) out('| - | no SNS topic | - | - | **NO: nobody is paged** |');
  const silent = page.topics.filter((t) => t.subscriptions.length === 0);
  out();
  out(silent.length === 0 ? 'Every topic has at least one subscriber.'
    : `${silent.length} of ${page.topics.length} topics have no subscriber: nobody is paged when they are published to. `
      + 'Subscribe an on-call endpoint (e-mail, SMS, HTTPS, a chat integration) to each before deploying.');
}

function costSection(costs: RegionCost[], out: Out): void {
  out();
  out(`## Monthly cost estimate per Region (prices as of ${PRICES_AS_OF})`);
  for (const c of costs) {
    out();
    out(`### ${c.region}`);
    out();
    out('| item | quantity | unit | USD per unit | USD per month | note |');
    out('|---|---|---|---|---|---|');
    for (const l of c.lines) {
      out(`| ${l.item} | ${Number(l.quantity.toFixed(4))} | ${l.unit} | ${l.usdPerUnit} | ${usd(l.monthlyUsd)} | ${l.note ?? ''} |`);
    }
    out(`| **total** | | | | **${usd(c.totalUsd)}** | |`);
  }
  out();
  out(`Total of all Regions: **${usd(Math.round(costs.reduce((s, c) => s + c.totalUsd, 0) * 100) / 100)}** per month. ${COST_DISCLAIMER}`);
  const sources = [...new Set(PRICES.map((p) => `${p.source}`))].sort();
  out(`Price sources: ${sources.join(', ')}; prices marked "assumed" could not be checked against the AWS page on ${PRICES_AS_OF}.`);
}

function checklistSection(findings: PlaceholderFinding[], out: Out): void {
  out();
  out('## Pre-deploy checklist');
  out();
  out('Literal values in the templates that look like placeholders. The rules:');
  out();
  for (const r of PLACEHOLDER_RULES) out(`- \`${r.id}\`: ${r.description}`);
  out();
  if (findings.length === 0) {
    out('Nothing matched: no placeholder found.');
    return;
  }
  out('| rule | stack | placeholder | where (first 3) | places |');
  out('|---|---|---|---|---|');
  const groups = new Map<string, PlaceholderFinding[]>();
  for (const f of findings) {
    const k = `${f.rule}|${f.stack}|${f.placeholder}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  for (const group of groups.values()) {
    const f = group[0];
    out(`| ${f.rule} | ${f.stack} | \`${f.placeholder}\` | ${group.slice(0, 3).map((g) => `\`${g.where}\``).join(', ')} | ${group.length} |`);
  }
  out();
  out(`${groups.size} placeholder values in ${findings.length} places: replace them with the real values before deploying.`);
}
