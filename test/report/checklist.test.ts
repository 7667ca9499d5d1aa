import { PLACEHOLDER_RULES, findPlaceholders } from '../../src/report/checklist';
import { StackTemplate } from '../../src/report/template';

const rule = (id: string) => PLACEHOLDER_RULES.find((r) => r.id === id)!;

describe.each([
  ['example-account', ['arn:aws:kms:us-west-2:123456789012:key/x', 'aws://111111111111/us-east-1', '999999999999'],
    ['arn:aws:kms:us-west-2:210987654321:key/x', '1111111111112', '123456789012345']],
  ['example-domain', ['oncall@example.com', 'https://hooks.example.org/pager', 'EXAMPLE.NET'],
    ['oncall@mycompany.com', 'https://examples.community/x']],
  ['cdk-dummy-lookup', ['vpc-12345', 'dummy-value-for-/app/db/host', 'arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'dummy1a', 'sg-12345678', 'ami-1234', 'p-12345'],
  ['vpc-0f3e9d2c7b6a51843', 'eu-west-1a', 'sg-0f3e9d2c7b6a51843']],
  ['made-up-id', ['vpc-0a1b2c3d4e5f60718', 'subnet-0123456789abcdef0', 'orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
    'arn:aws:kms:us-west-2:210987654321:key/abcd1234-0000-4000-8000-000000000000'],
  ['vpc-0f3e9d2c7b6a51843', 'orders.cq8x5mzpt2vw.us-east-1.rds.amazonaws.com', 'arn:aws:kms:us-west-2:210987654321:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10']],
])('rule %s', (id, flagged, passed) => {
  test.each(flagged)('flags %s', (value) => expect(rule(id).match(value)).toBeDefined());
  test.each(passed)('passes %s', (value) => expect(rule(id).match(value)).toBeUndefined());
});

function stack(template: any, account = '210987654321'): StackTemplate {
  return { artifactId: 'S', stackName: 'S', displayName: 'S', region: 'eu-west-1', account, templateFile: 'S.template.json', template };
}

test('reads the environment, resource properties and outputs, and skips references', () => {
  const found = findPlaceholders([stack({
    Resources: {
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: 'Topic' } } },
      Zone: { Type: 'AWS::Route53::HostedZone', Properties: { VPCs: [{ VPCId: { Ref: 'Vpc' }, VPCRegion: 'eu-west-1' }] } },
    },
    Outputs: { Key: { Value: 'arn:aws:kms:eu-west-1:123456789012:key/x' } },
  }, '111111111111')]);
  expect(found.map((f) => [f.rule, f.where, f.placeholder])).toEqual([
    ['example-account', 'environment', '111111111111'],
    ['example-domain', 'Sub.Endpoint', 'ops@example.com'],
    ['example-account', 'Outputs.Key.Value', '123456789012'],
  ]);
});

test('a template of real-looking values has no finding', () => {
  expect(findPlaceholders([stack({
    Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: 'vpc-0f3e9d2c7b6a51843', GroupDescription: 'db' } } },
  })])).toEqual([]);
});

test('a made-up RDS endpoint is reported as the whole host name', () => {
  expect(PLACEHOLDER_RULES.find((r) => r.id === 'made-up-id')!.match('["orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"]'))
    .toBe('orders-primary.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com');
});
