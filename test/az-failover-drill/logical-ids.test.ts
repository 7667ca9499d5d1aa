import { Template } from 'aws-cdk-lib/assertions';
import { AzFailoverDrill } from '../../src';
import { dbStack } from '../util';

/**
 * The drill's log groups (the experiments' and the measurements') and their key hold the record of past drills: a library change that renamed them would make
 * CloudFormation create new ones (the retained old ones are left behind). Change these values only with a migration note.
 */
test('logical IDs of the drill\'s log group and key are stable', () => {
  const { stack, db } = dbStack({ instanceIdentifier: 'orders-primary' });
  new AzFailoverDrill(stack, 'Drill', { instance: db });
  const template = Template.fromStack(stack);
  const idsOf = (type: string) => Object.keys(template.findResources(type)).filter((id) => id.startsWith('Drill')).sort();
  expect({
    logGroups: idsOf('AWS::Logs::LogGroup'),
    keys: idsOf('AWS::KMS::Key'),
    experimentTemplates: idsOf('AWS::FIS::ExperimentTemplate'),
  }).toEqual({
    logGroups: ['DrillLogGroup7BFFA8D3', 'DrillMeasurementLogGroupD5BBE85B'],
    keys: ['DrillLogKey3B22F9CC'],
    experimentTemplates: ['DrillExperimentTemplateBDE5BE7F'],
  });
});
