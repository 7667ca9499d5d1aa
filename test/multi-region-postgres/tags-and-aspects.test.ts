import { App, Aspects, CfnResource, IAspect, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { MultiRegionPostgres } from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, newApp, newStack } from '../util';

function patternApp(app: App = newApp()) {
  const primaryStack = newStack(app, 'Primary', PRIMARY_REGION);
  const drStack = newStack(app, 'Dr', DR_REGION);
  const orders = new MultiRegionPostgres(primaryStack, 'Orders', {
    drScope: drStack,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`,
    drSecretKeyArn: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`,
    primaryEndpointAddress: PRIMARY_ENDPOINT,
    primaryVpcId: PRIMARY_VPC_ID,
  });
  return { app, primaryStack, drStack, orders };
}

/** The resources of a template whose type takes `Tags`, with the tag value of `key` (undefined when missing). */
function tagValues(template: Template, key: string, types: string[]): Array<[string, string | undefined]> {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: { Tags?: unknown; HostedZoneTags?: unknown } }>;
  return Object.entries(resources)
    .filter(([, r]) => types.includes(r.Type))
    .map(([id, r]) => {
      // Route 53 hosted zones spell their tags `HostedZoneTags`.
      const tags = r.Type === 'AWS::Route53::HostedZone' ? r.Properties?.HostedZoneTags : r.Properties?.Tags;
      const value = Array.isArray(tags)
        ? (tags as Array<{ Key: string; Value: string }>).find((t) => t.Key === key)?.Value
        : (tags as Record<string, string> | undefined)?.[key];
      return [id, value];
    });
}

const TAGGED_TYPES = ['AWS::RDS::DBInstance', 'AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine',
  'AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', 'AWS::Route53::HostedZone', 'AWS::IAM::Role'];

describe('Tags and Aspects applied to the pattern', () => {
  test('Tags.of(pattern) reaches the resources of both stacks, including those added after the pattern', () => {
    const { primaryStack, drStack, orders } = patternApp();
    Tags.of(orders).add('cost-center', 'payments');

    for (const stack of [primaryStack, drStack]) {
      const values = tagValues(Template.fromStack(stack), 'cost-center', TAGGED_TYPES);
      expect(values.length).toBeGreaterThan(5);
      expect(values.filter(([, value]) => value !== 'payments')).toEqual([]);
    }
    // The DR stack holds the replica, which must carry the tag.
    const replicas = tagValues(Template.fromStack(drStack), 'cost-center', ['AWS::RDS::DBInstance']);
    expect(replicas).toEqual([[expect.any(String), 'payments']]);
  });

  test('a tag on the primary stack stays in the primary stack', () => {
    const { primaryStack, drStack } = patternApp();
    Tags.of(primaryStack).add('stack', 'primary');

    expect(tagValues(Template.fromStack(primaryStack), 'stack', ['AWS::RDS::DBInstance'])).toEqual([[expect.any(String), 'primary']]);
    expect(tagValues(Template.fromStack(drStack), 'stack', ['AWS::RDS::DBInstance'])).toEqual([[expect.any(String), undefined]]);
  });

  test('an aspect applied to the pattern visits every resource of the DR part, and none outside the pattern', () => {
    const { app, drStack, orders } = patternApp();
    const visited = new Set<string>();
    const aspect: IAspect = {
      visit(node: IConstruct) {
        if (node instanceof CfnResource) {
          visited.add(node.node.path);
        }
      },
    };
    Aspects.of(orders).add(aspect);
    app.synth();

    const drResources = drStack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource).map((c) => c.node.path);
    const underPattern = drResources.filter((p) => p.startsWith(`${drStack.node.path}/${orders.node.id}/`));
    expect(underPattern.length).toBeGreaterThan(10);
    for (const p of underPattern) {
      expect(visited).toContain(p);
    }
    // Resources of the DR stack that the pattern did not create are not visited.
    for (const p of drResources.filter((q) => !underPattern.includes(q))) {
      expect(visited).not.toContain(p);
    }
  });
});
