import { Template } from 'aws-cdk-lib/assertions';
import { FailoverHealthCheckType } from '../../src';
import { failoverApp } from '../util';

/**
 * The logical IDs of the health checks and failover records are part of the public contract: a new logical ID for a
 * record of the same name makes CloudFormation create the new record before it deletes the old one, which Route 53
 * refuses (or, for a health check, swaps the check under a live record). Change these values only with a migration note
 * in the release.
 */
const idsOf = (template: Template, type: string) => Object.keys(template.findResources(type)).sort();

/** Each record's logical ID and the logical ID of the health check it names (a `Fn::GetAtt` of `HealthCheckId`). */
const recordsOf = (template: Template) => Object.fromEntries(Object.entries(template.findResources('AWS::Route53::RecordSet'))
  .map(([id, r]) => [id, r.Properties.HealthCheckId]));

test('logical IDs of the default failover app (alarm checks, reader record, fence) are stable', () => {
  const { drStack } = failoverApp();
  const template = Template.fromStack(drStack);
  expect({
    healthChecks: idsOf(template, 'AWS::Route53::HealthCheck'),
    records: recordsOf(template),
    zone: idsOf(template, 'AWS::Route53::HostedZone'),
  }).toEqual(PINNED_DEFAULT);
});

test('logical IDs of a TCP failover with a fence are stable', () => {
  // One fenced failover per DR instance: the alarms come from another app of the same shape.
  const probes = failoverApp();
  const { drStack } = failoverApp({
    zoneName: 'public.internal',
    readerRecordName: undefined,
    healthCheckType: FailoverHealthCheckType.TCP,
    primary: { endpointAddress: 'db.example.com', publiclyAccessible: true, notWritableAlarm: probes.primaryProbe.notWritableAlarm },
    secondary: {
      endpointAddress: 'dr.example.com',
      publiclyAccessible: true,
      notWritableAlarm: probes.drProbe.notWritableAlarm,
      writableAlarm: probes.drProbe.writableAlarm,
    },
  });
  const template = Template.fromStack(drStack);
  expect({
    healthChecks: idsOf(template, 'AWS::Route53::HealthCheck'),
    records: recordsOf(template),
  }).toEqual(PINNED_TCP);
});

const PINNED_DEFAULT = {
  healthChecks: [
    'FailoverFenceLatchedHealthCheckAA912C20',
    'FailoverFenceNotLatchedHealthCheck49592158',
    'FailoverPrimaryReaderFencedHealthCheckBD983A3D',
    'FailoverPrimaryReaderHealthCheckF8F810EF',
    'FailoverPrimaryWriterFencedHealthCheckF7A663CA',
    'FailoverPrimaryWriterHealthCheckC03D03CF',
    'FailoverSecondaryReadOnlyHealthCheckD969DF54',
    'FailoverSecondaryReaderHealthCheckC884077C',
    'FailoverSecondaryReaderOrLatchedHealthCheck1A76830A',
    'FailoverSecondaryWriterHealthCheckF4AFA1B0',
    'FailoverSecondaryWriterOrLatchedHealthCheck108AD5DF',
  ],
  records: {
    FailoverReaderPrimary05271C47: { 'Fn::GetAtt': ['FailoverPrimaryReaderFencedHealthCheckBD983A3D', 'HealthCheckId'] },
    FailoverReaderSecondary22489EE9: { 'Fn::GetAtt': ['FailoverSecondaryReaderOrLatchedHealthCheck1A76830A', 'HealthCheckId'] },
    FailoverWriterPrimaryB348FB14: { 'Fn::GetAtt': ['FailoverPrimaryWriterFencedHealthCheckF7A663CA', 'HealthCheckId'] },
    FailoverWriterSecondary7D8E12C2: { 'Fn::GetAtt': ['FailoverSecondaryWriterOrLatchedHealthCheck108AD5DF', 'HealthCheckId'] },
  },
  zone: ['FailoverZone7400F2DB'],
};
const PINNED_TCP = {
  healthChecks: [
    'FailoverFenceLatchedHealthCheckAA912C20',
    'FailoverFenceNotLatchedAgainHealthCheck7819B781',
    'FailoverFenceNotLatchedHealthCheck49592158',
    'FailoverPrimaryTcpHealthCheck953603D2',
    'FailoverPrimaryWriterFencedHealthCheckF7A663CA',
    'FailoverSecondaryReadOnlyHealthCheckD969DF54',
    'FailoverSecondaryTcpDownHealthCheckB42B7E20',
    'FailoverSecondaryTcpHealthCheckCA67C856',
    'FailoverSecondaryWritableHealthCheck46F70726',
    'FailoverSecondaryWriterHealthCheckF4AFA1B0',
    'FailoverSecondaryWriterOrLatchedHealthCheck108AD5DF',
  ],
  records: {
    FailoverWriterPrimaryB348FB14: { 'Fn::GetAtt': ['FailoverPrimaryWriterFencedHealthCheckF7A663CA', 'HealthCheckId'] },
    FailoverWriterSecondary7D8E12C2: { 'Fn::GetAtt': ['FailoverSecondaryWriterOrLatchedHealthCheck108AD5DF', 'HealthCheckId'] },
  },
};

test('the typed health-check properties are the checks the records name', () => {
  const { drStack, failover } = failoverApp();
  const idOf = (check: { healthCheckId: string } | undefined) => drStack.resolve(check?.healthCheckId);
  expect({
    FailoverWriterPrimaryB348FB14: idOf(failover.writerPrimaryHealthCheck),
    FailoverWriterSecondary7D8E12C2: idOf(failover.writerSecondaryHealthCheck),
    FailoverReaderPrimary05271C47: idOf(failover.readerPrimaryHealthCheck),
    FailoverReaderSecondary22489EE9: idOf(failover.readerSecondaryHealthCheck),
  }).toEqual(PINNED_DEFAULT.records);
});
