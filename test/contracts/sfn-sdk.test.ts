/**
 * The AWS SDK integration tasks of every state machine the library's constructs synthesize, checked against the AWS SDK
 * for Java v2 model that Step Functions names them after (see java-sdk-model.ts and sfn-sdk-contract.ts): actions,
 * argument names, result paths and error names. The model is read by reflection from the service jars on Maven Central.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration } from 'aws-cdk-lib';
import { javaSdkModel, JavaSdkModel, JAVA_SDK_VERSION } from './java-sdk-model';
import { allStates, checkSdkContract, sdkServicesOf } from './sfn-sdk-contract';
import { drillApp } from '../region-failover-drill/fixture';
import { switchoverApp } from '../switchover-runbook/fixture';
import { runbookApp } from '../util';

jest.setTimeout(600_000);

interface Definition {
  readonly name: string;
  readonly definition: any;
}

/** The state machine definitions of an app's templates. A token in a Fn::Join becomes a placeholder string. */
function definitionsOfTemplates(app: string, templates: Record<string, any>): Definition[] {
  const found: Definition[] = [];
  for (const [stack, template] of Object.entries(templates)) {
    for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') {
        continue;
      }
      const raw = resource.Properties.DefinitionString;
      const text = typeof raw === 'string' ? raw
        : raw['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'TOKEN')).join(raw['Fn::Join'][0]);
      found.push({ name: `${app}/${stack}/${id}`, definition: JSON.parse(text) });
    }
  }
  return found;
}

function definitionsOfApp(name: string, app: App): Definition[] {
  const assembly = app.synth();
  return definitionsOfTemplates(name, Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template])));
}

/** Synthesizes each test/integ.*.ts app, as integ-snapshots.test.ts does. */
function integDefinitions(): Definition[] {
  const dir = path.join(__dirname, '..');
  const found: Definition[] = [];
  for (const caseFile of fs.readdirSync(dir).filter((f) => /^integ\..+\.ts$/.test(f) && !f.endsWith('.test.ts'))) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfn-sdk-'));
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(dir, caseFile));
      });
    } finally {
      if (previous === undefined) {
        delete process.env.CDK_OUTDIR;
      } else {
        process.env.CDK_OUTDIR = previous;
      }
    }
    const templates: Record<string, any> = {};
    for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
      templates[file] = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8'));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    found.push(...definitionsOfTemplates(caseFile, templates));
  }
  return found;
}

let definitions: Definition[];
let model: JavaSdkModel;

beforeAll(() => {
  definitions = [
    ...integDefinitions(),
    ...[true, false].flatMap((approval) => [
      ...definitionsOfApp(`runbook approval=${approval} fence=on`, runbookApp({ approval }).app),
      ...definitionsOfApp(`runbook approval=${approval} fence=off`, runbookApp({ approval, failover: undefined }).app),
    ]),
    ...definitionsOfApp('runbook automatic', runbookApp({ automaticPromotion: true, pollInterval: Duration.seconds(10) }).app),
    ...definitionsOfApp('region drill', drillApp().app),
    ...definitionsOfApp('switchover', switchoverApp().app),
  ];
  model = javaSdkModel(sdkServicesOf(definitions.map((d) => d.definition)));
});

test('every state machine the constructs emit is covered: with and without approval and fence', () => {
  expect(definitions.length).toBeGreaterThanOrEqual(6);
  const states = (d: Definition) => allStates(d.definition).map(([name]) => name);
  expect(definitions.some((d) => states(d).includes('RequestApproval'))).toBe(true);
  expect(definitions.some((d) => !states(d).includes('RequestApproval'))).toBe(true);
  expect(definitions.some((d) => states(d).includes('ReadFence'))).toBe(true);
  expect(definitions.some((d) => !states(d).includes('ReadFence'))).toBe(true);
  expect(definitions.some((d) => d.name.startsWith('integ.'))).toBe(true);
  expect(definitions.some((d) => states(d).includes('CreateCopy') && states(d).includes('DeleteCopy'))).toBe(true);
  expect(definitions.some((d) => states(d).includes('ReadReplay') && states(d).includes('Promote'))).toBe(true);
});

test('the AWS SDK integration tasks use the names of the AWS SDK for Java v2 model', () => {
  const report = checkSdkContract(definitions, model);
  // eslint-disable-next-line no-console
  console.log(`AWS SDK for Java ${JAVA_SDK_VERSION} contract: ${definitions.length} state machines, ${report.tasks} SDK tasks, `
    + `${report.argumentNames} argument names, ${report.resultPaths} result paths, ${report.errorNames} error names checked`);
  expect(report.problems).toEqual([]);
  expect(report.tasks).toBeGreaterThan(0);
  expect(report.argumentNames).toBeGreaterThan(0);
  expect(report.resultPaths).toBeGreaterThan(0);
  expect(report.errorNames).toBeGreaterThan(0);
});

describe('the model read from the jars', () => {
  test('says what Step Functions shows: Java member names, the kept acronym, the error prefix and classes', () => {
    const rds = model.services.rds;
    expect(rds.prefix).toBe('Rds');
    expect(rds.baseException).toBe('RdsException');
    expect(model.services.cloudwatch.prefix).toBe('CloudWatch');
    expect(rds.operations.describeDBInstances).toEqual({ input: 'DescribeDbInstancesRequest', output: 'DescribeDbInstancesResponse' });
    expect(rds.shapes.DescribeDbInstancesRequest.members.DbInstanceIdentifier.wire).toBe('DBInstanceIdentifier');
    expect(rds.shapes.DescribeDbInstancesResponse.members.DbInstances.wire).toBe('DBInstances');
    expect(rds.shapes.DBInstance.members.DbInstanceStatus.wire).toBe('DBInstanceStatus');
    expect(rds.shapes.DBInstance.members.ReadReplicaSourceDBInstanceIdentifier.wire).toBe('ReadReplicaSourceDBInstanceIdentifier');
    expect(rds.exceptions.InvalidDbInstanceStateException.errorCodes).toEqual(['InvalidDBInstanceState']);
    expect(rds.exceptions.DbInstanceNotFoundException.errorCodes).toEqual(['DBInstanceNotFound']);
    // Throttling is no modeled error of RDS: it arrives as the base exception.
    expect(Object.values(rds.exceptions).flatMap((e) => e.errorCodes)).not.toContain('Throttling');
    expect(rds.exceptions.ThrottlingException).toBeUndefined();
  });
});

describe('the check fails on the API\'s names', () => {
  function runbook(): Definition {
    const d = definitions.find((x) => x.name.startsWith('runbook approval=true fence=on'))!;
    return { name: 'mutated', definition: JSON.parse(JSON.stringify(d.definition)) };
  }

  test('an argument named after the API (DBInstanceIdentifier)', () => {
    const d = runbook();
    d.definition.States.DescribeReplica.Arguments = { DBInstanceIdentifier: 'orders-dr' };
    expect(checkSdkContract([d], model).problems).toEqual([
      expect.stringMatching(/^mutated DescribeReplica Arguments: DescribeDbInstancesRequest has no member DBInstanceIdentifier \(members: .*DbInstanceIdentifier/),
    ]);
  });

  test('a nested argument named after the API', () => {
    const d = runbook();
    d.definition.States.RecordFence.Arguments.Tags[0] = { key: 'k', Value: 'v' };
    expect(checkSdkContract([d], model).problems).toEqual([
      expect.stringMatching(/^mutated RecordFence Arguments\.Tags\[0\]: Tag has no member key/),
    ]);
  });

  test('a result path named after the API (DBInstances), and what is read from its variable', () => {
    const d = runbook();
    d.definition.States.DescribeReplica.Assign.replica = '{% $states.result.DBInstances[0] %}';
    const problems = checkSdkContract([d], model).problems;
    expect(problems).toContainEqual(expect.stringMatching(/^mutated DescribeReplica \$states\.result: DescribeDbInstancesResponse has no member DBInstances/));
  });

  test('a field read from a variable assigned from a result (DBInstanceStatus)', () => {
    const d = runbook();
    d.definition.States.ReplicaReady.Choices[0].Condition = "{% $replica.DBInstanceStatus = 'available' %}";
    expect(checkSdkContract([d], model).problems).toEqual([
      expect.stringMatching(/^mutated ReplicaReady \$replica: DBInstance has no member DBInstanceStatus/),
    ]);
  });

  test('a field in a filter of a result', () => {
    const d = runbook();
    d.definition.States.ReadEvidence.Assign.evidence = "{% $append([], $states.result.MetricAlarms[stateValue = 'ALARM'].AlarmName) %}";
    expect(checkSdkContract([d], model).problems).toEqual([
      expect.stringMatching(/^mutated ReadEvidence \$states\.result\.MetricAlarms\[stateValue = 'ALARM'\]: MetricAlarm has no member stateValue/),
    ]);
  });

  test('an error the SDK does not model (Rds.ThrottlingException) and one named after the API\'s error code', () => {
    const d = runbook();
    d.definition.States.Promote.Retry[0].ErrorEquals = ['Rds.ThrottlingException', 'Rds.InvalidDBInstanceStateException', 'RDS.RdsException'];
    expect(checkSdkContract([d], model).problems).toEqual([
      expect.stringMatching(/^mutated Promote: Rds\.ThrottlingException: no exception class ThrottlingException extends RdsException .*Rds\.RdsException$/),
      expect.stringMatching(/^mutated Promote: Rds\.InvalidDBInstanceStateException: no exception class/),
      expect.stringMatching(/^mutated Promote: RDS\.RdsException does not start with the service's error prefix Rds\./),
    ]);
  });

  test('a drill argument named after the API (MultiAz, DBSubnetGroupName)', () => {
    const d = definitions.find((x) => x.name.startsWith('region drill') && x.definition.States.CreateCopy)!;
    const mutated = { name: 'mutated', definition: JSON.parse(JSON.stringify(d.definition)) };
    const args = mutated.definition.States.CreateCopy.Arguments;
    args.MultiAz = args.MultiAZ;
    delete args.MultiAZ;
    expect(checkSdkContract([mutated], model).problems).toEqual([
      expect.stringMatching(/^mutated CreateCopy Arguments: CreateDbInstanceReadReplicaRequest has no member MultiAz/),
    ]);
  });

  test('an action that is not a method of the Java client', () => {
    const d = runbook();
    d.definition.States.DescribeReplica.Resource = 'arn:aws:states:::aws-sdk:rds:describeDbInstances';
    expect(checkSdkContract([d], model).problems).toContainEqual(
      'mutated DescribeReplica: software.amazon.awssdk.services.rds.RdsClient has no method describeDbInstances');
  });
});
