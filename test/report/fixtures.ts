import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack, Stage } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { newApp } from '../util';

/** A temporary directory, removed by the caller. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The integration app (test/integ.two-region.ts, built from the library's source) synthesized into `outdir`. */
export function synthIntegApp(outdir: string): void {
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(__dirname, '..', 'integ.two-region.ts'));
    });
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
  }
}

/**
 * A user's app in a Stage (a nested assembly): an on-call topic with an e-mail subscription (example.com) and an alarm
 * on it, a second topic nobody subscribes to with its own alarm, a VPC from a lookup without context (aws-cdk-lib's
 * dummy vpc-12345) and a private zone naming another VPC by a made-up literal ID.
 */
export function synthUserApp(outdir: string): void {
  // aws-cdk-lib's built-in rules reject vpc-12345: the app synthesizes as `cdk synth` does without them.
  const app = newApp({ outdir, context: { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: false } });
  const stage = new Stage(app, 'Prod', { env: { account: '123456789012', region: 'eu-west-1' } });
  const stack = new Stack(stage, 'Ops');
  const oncall = new sns.Topic(stack, 'OnCall', { topicName: 'oncall' });
  oncall.addSubscription(new subscriptions.EmailSubscription('oncall@example.com'));
  const silent = new sns.Topic(stack, 'Silent', { topicName: 'silent' });
  const metric = new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors', period: Duration.minutes(1) });
  new cloudwatch.Alarm(stack, 'Errors', { alarmName: 'app-errors', metric, threshold: 1, evaluationPeriods: 1 })
    .addAlarmAction(new actions.SnsAction(oncall));
  new cloudwatch.Alarm(stack, 'Latency', {
    alarmName: 'app-latency', metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Latency', period: Duration.seconds(10) }), threshold: 1, evaluationPeriods: 1,
  }).addAlarmAction(new actions.SnsAction(silent));
  const vpc = ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0' });
  new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'app.internal', vpc });
  zone.addVpc(ec2.Vpc.fromVpcAttributes(stack, 'Other', { vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['eu-west-1a'], region: 'eu-west-1' }));
  // The built-in rules' warnings about the dummy VPC ID are expected here.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    app.synth();
  } finally {
    quiet.mockRestore();
  }
}
