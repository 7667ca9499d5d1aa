/**
 * The pre-deploy checklist: literal values in the templates that look like placeholders. Each rule is explicit and
 * printed with the report, so a reader knows what was looked for and what was not.
 */
import { StackTemplate } from './template';

/** One rule of the checklist. */
export interface PlaceholderRule {
  readonly id: string;
  readonly description: string;
  /** The placeholder in `value`, or undefined when the value does not match. */
  readonly match: (value: string) => string | undefined;
}

/** A literal that matched a rule. */
export interface PlaceholderFinding {
  readonly rule: string;
  readonly stack: string;
  /** Where in the template: `<logical ID>.<property path>`, `Outputs.<id>...` or `environment`. */
  readonly where: string;
  readonly value: string;
  readonly placeholder: string;
}

/** The account IDs AWS documentation and CDK examples use. */
const EXAMPLE_ACCOUNTS = ['111111111111', '123456789012'];

/**
 * The values aws-cdk-lib returns from a context lookup (Vpc.fromLookup, StringParameter.valueFromLookup, Key.fromLookup,
 * HostedZone.fromLookup, MachineImage.lookup, availability zones, ...) when the context has no answer yet: the
 * template then carries them until `cdk synth` runs with credentials.
 */
const CDK_DUMMY_VALUES: Array<[RegExp, string]> = [
  [/\bvpc-12345\b/, 'vpc-12345'],
  [/\b[ps]-(12345|67890)\b/, 'subnet p-/s-12345, p-/s-67890'],
  [/\brtb-(12345|67890)[spi]?\b/, 'rtb-12345…'],
  [/\bsg-12345678\b/, 'sg-12345678'],
  [/\bami-1234(5)?\b/, 'ami-1234'],
  [/dummy-value-for-/, 'dummy-value-for-<parameter>'],
  [/\b1234abcd-12ab-34cd-56ef-1234567890ab\b/, 'KMS key 1234abcd-12ab-34cd-56ef-1234567890ab'],
  [/\bdummy1[abc]\b/, 'availability zone dummy1a/b/c'],
  [/\b1\.2\.3\.4\/5\b/, 'CIDR 1.2.3.4/5'],
  [/\bDUMMY(_ARN)?\b/, 'DUMMY / DUMMY_ARN'],
];

/** An ascending run of four hexadecimal characters (0123 … cdef), or an interleaved ladder such as 0a1b2c or a1b2c3. */
function madeUpRun(id: string): string | undefined {
  const hex = '0123456789abcdef';
  const s = id.toLowerCase();
  for (let i = 0; i + 4 <= s.length; i++) {
    if (hex.includes(s.slice(i, i + 4))) return s.slice(i, i + 4);
  }
  for (let i = 0; i + 6 <= s.length; i++) {
    const run = s.slice(i, i + 6);
    if (!/^(([0-9][a-f]){3}|([a-f][0-9]){3})$/.test(run)) continue;
    const digits = run.replace(/[a-f]/g, '');
    const letters = run.replace(/[0-9]/g, '');
    if (hex.includes(digits) && 'abcdef'.includes(letters)) return run;
  }
  return undefined;
}

/** The rules, in the order the report lists them. */
export const PLACEHOLDER_RULES: PlaceholderRule[] = [
  {
    id: 'example-account',
    description: `an example account ID (${EXAMPLE_ACCOUNTS.join(', ')}), or twelve times the same digit, in an ARN, an environment or any literal`,
    match: (v) => /(?<![0-9])(\d)\1{11}(?![0-9])/.exec(v)?.[0] ?? EXAMPLE_ACCOUNTS.find((a) => new RegExp(`(?<![0-9])${a}(?![0-9])`).test(v)),
  },
  {
    id: 'example-domain',
    description: 'a reserved example domain (example.com, example.org, example.net), e.g. in an e-mail subscription',
    match: (v) => /[\w.@-]*\bexample\.(com|org|net)\b/i.exec(v)?.[0],
  },
  {
    id: 'cdk-dummy-lookup',
    description: `a dummy value aws-cdk-lib returns when a context lookup has no answer (${CDK_DUMMY_VALUES.map(([, d]) => d).join('; ')})`,
    match: (v) => CDK_DUMMY_VALUES.find(([re]) => re.test(v))?.[0].exec(v)?.[0],
  },
  {
    id: 'made-up-id',
    description: 'a literal AWS resource ID, key ID or RDS endpoint whose identifier has a made-up run (four ascending hexadecimal '
      + 'characters such as 1234 or abcd, or a ladder such as 0a1b2c / a1b2c3), e.g. vpc-0a1b2c3d4e5f60718',
    match: (v) => {
      const ids = [
        ...v.matchAll(/\b(?:vpc|subnet|sg|rtb|igw|nat|eni|vpce|ami|i|pcx|tgw|cluster|db)-([0-9a-f]{6,17})\b/gi),
        ...v.matchAll(/\bkey\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi),
        ...v.matchAll(/\b[a-z0-9-]+\.([a-z0-9]{12})\.[a-z]{2}(?:-[a-z]+)+-\d\.rds\.amazonaws\.com\b/gi),
      ];
      for (const m of ids) {
        if (madeUpRun(m[1])) return m[0];
      }
      return undefined;
    },
  },
];

/** Every string literal of a JSON value with its path. */
function* literals(value: unknown, where: string): Generator<[string, string]> {
  if (typeof value === 'string') {
    yield [where, value];
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* literals(v, `${where}[${i}]`);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* literals(v, where === '' ? k : `${where}.${k}`);
  }
}

/** The literals of the stacks (their environments, resource properties and outputs) that match a rule. */
export function findPlaceholders(stacks: StackTemplate[], rules: PlaceholderRule[] = PLACEHOLDER_RULES): PlaceholderFinding[] {
  const findings: PlaceholderFinding[] = [];
  const seen = new Set<string>();
  for (const stack of stacks) {
    const sources: Array<[string, string]> = [
      ['environment', `aws://${stack.account}/${stack.region}`],
      ...literals(Object.fromEntries(Object.entries(stack.template.Resources).map(([id, r]) => [id, r.Properties ?? {}])), ''),
      ...literals(stack.template.Outputs ?? {}, 'Outputs'),
    ];
    for (const [where, value] of sources) {
      for (const rule of rules) {
        const placeholder = rule.match(value);
        const key = `${rule.id}|${stack.artifactId}|${where.split('.')[0]}|${placeholder}`;
        if (placeholder !== undefined && !seen.has(key)) {
          seen.add(key);
          findings.push({ rule: rule.id, stack: stack.stackName, where, value, placeholder });
        }
      }
    }
  }
  return findings;
}
