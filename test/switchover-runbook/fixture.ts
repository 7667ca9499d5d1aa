import { App } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SwitchoverRunbook, SwitchoverRunbookProps, SwitchoverSqlAgent, SwitchoverSqlAgentProps } from '../../src';
import { ACCOUNT, DR_REGION, DR_SECRET_KEY_ARN, failoverApp, newApp } from '../util';

/**
 * `failoverApp` plus the switchover pieces: the writer's SQL agent in the primary stack, the replica's in the DR stack,
 * and the `SwitchoverRunbook` `Switchover` in the DR stack. `props` may replace the agents given to the runbook;
 * `writerAgentProps` go to the writer's agent.
 */
type Agents = { writerAgent: SwitchoverSqlAgent; targetAgent: SwitchoverSqlAgent };

export function switchoverApp(props: Partial<SwitchoverRunbookProps> | ((built: Agents) => Partial<SwitchoverRunbookProps>) = {},
  app: App = newApp(), writerAgentProps: Partial<SwitchoverSqlAgentProps> = {}) {
  const parts = failoverApp({}, app);
  const primaryNet = parts.primaryStack.node.findChild('Network') as any;
  const writerAgent = new SwitchoverSqlAgent(parts.primaryStack, 'SwitchoverAgent', {
    instance: parts.primary,
    credentials: parts.primary.secret,
    vpc: primaryNet.vpc,
    awsApiEndpoints: [primaryNet.secretsManagerEndpoint],
    ...writerAgentProps,
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
    ...(typeof props === 'function' ? props({ writerAgent, targetAgent }) : props),
  });
  return { ...parts, writerAgent, targetAgent, switchover };
}
