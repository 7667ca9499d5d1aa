import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SwitchoverRunbook, SwitchoverRunbookProps, SwitchoverSqlAgent } from '../../src';
import { ACCOUNT, DR_REGION, DR_SECRET_KEY_ARN, failoverApp } from '../util';

/**
 * `failoverApp` plus the switchover pieces: the writer's SQL agent in the primary stack, the replica's in the DR stack,
 * and the `SwitchoverRunbook` `Switchover` in the DR stack.
 */
export function switchoverApp(props: Partial<SwitchoverRunbookProps> = {}) {
  const parts = failoverApp();
  const primaryNet = parts.primaryStack.node.findChild('Network') as any;
  const writerAgent = new SwitchoverSqlAgent(parts.primaryStack, 'SwitchoverAgent', {
    instance: parts.primary,
    credentials: parts.primary.secret,
    vpc: primaryNet.vpc,
    awsApiEndpoints: [primaryNet.secretsManagerEndpoint],
  });
  const targetAgent = new SwitchoverSqlAgent(parts.drStack, 'SwitchoverAgent', {
    instance: parts.replica,
    credentials: secretsmanager.Secret.fromSecretAttributes(parts.drStack, 'ReplicatedSecretForAgent', {
      secretPartialArn: `arn:aws:secretsmanager:${DR_REGION}:${ACCOUNT}:secret:orders-primary/master`,
      encryptionKey: kms.Key.fromKeyArn(parts.drStack, 'SecretKeyForAgent', DR_SECRET_KEY_ARN),
    }),
    vpc: parts.drNet.vpc,
    awsApiEndpoints: [parts.drNet.secretsManagerEndpoint],
  });
  const switchover = new SwitchoverRunbook(parts.drStack, 'Switchover', {
    replica: parts.replica,
    writerAgent,
    targetAgent,
    topic: parts.drAlarms.topic,
    topicKey: parts.drAlarms.topicKey,
    ...props,
  });
  return { ...parts, writerAgent, targetAgent, switchover };
}
