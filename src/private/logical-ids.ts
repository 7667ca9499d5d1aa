import { CfnResource, Stack } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * Makes a construct at `scope/id` (an L2, whose CloudFormation resource is its `Resource` child) and gives its resource
 * the logical ID that a CloudFormation resource directly at `scope/id` gets: the ID of an L1 that the L2 replaces. The
 * ID is the stack's own (`Stack.getLogicalId`, so a stack that allocates or renames logical IDs is followed), asked for
 * a stand-in resource at that path, which is removed before the construct is made.
 *
 * A new logical ID would make CloudFormation replace the resource: for a DNS record, create the new one before it
 * deletes the old one, which Route 53 refuses for a record of the same name and type.
 */
export function withLogicalIdOfPath<T extends IConstruct>(scope: Construct, id: string, make: (scope: Construct, id: string) => T): T {
  const standIn = new CfnResource(scope, id, { type: 'AWS::CloudFormation::WaitConditionHandle' });
  const logicalId = Stack.of(scope).getLogicalId(standIn);
  scope.node.tryRemoveChild(id);
  const made = make(scope, id);
  const resource = made.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`${made.node.path} has no CloudFormation resource to keep the logical ID ${logicalId} on`);
  }
  resource.overrideLogicalId(logicalId);
  return made;
}
