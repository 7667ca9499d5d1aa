import { CrossRegionReadReplica } from '../../src';
import { record, twoRegionApp } from '../util';

// Stateful resources keep their logical IDs across releases: a changed ID makes CloudFormation replace the replica
// (a new, empty DR copy), its key or its log groups. A failing test here is a breaking change.
test('logical IDs of the replica, its key and its log groups are stable', () => {
  const { drStack, primary, drNet } = twoRegionApp();
  new CrossRegionReadReplica(drStack, 'Replica', { sourceInstance: primary, vpc: drNet.vpc });
  const t = record(drStack);
  const ids = (type: string) => Object.keys(t.findResources(type)).sort();
  expect(ids('AWS::RDS::DBInstance')).toEqual(['ReplicaInstance639BE1BF']);
  expect(ids('AWS::KMS::Key')).toEqual(['NetworkFlowLogKeyF785E5F9', 'ReplicaKey29E01B67']);
  expect(ids('AWS::Logs::LogGroup')).toEqual(['NetworkFlowLogGroup4F8CEEEF', 'ReplicaPostgresqlLogGroup21689A30', 'ReplicaUpgradeLogGroupBF55E6C5']);
  expect(ids('AWS::RDS::DBParameterGroup')).toEqual(['ReplicaParameterGroupBF013B3D']);
  expect(ids('AWS::RDS::DBSubnetGroup')).toEqual(['ReplicaInstanceSubnetGroupF2EFC5E4']);
});
