import { Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Route53DbFailoverProps } from './types';
import { checkVpcs, FailoverAlarms, FailoverSettings } from './validation';
import { propError } from '../private/errors';
import { DNS_NAME } from '../private/validation';
import { checkZoneName } from '../private/wiring';

/**
 * The private hosted zone, resolvable in both Regions: the one given (its VPCs checked, not associated), or a new one
 * associated with every VPC. Checks that the record names are relative to it.
 */
export function failoverZone(scope: Construct, construct: string, props: Route53DbFailoverProps, settings: FailoverSettings,
  alarms: FailoverAlarms): { zone: route53.IPrivateHostedZone; zoneName: string } {
  const { primaryWriter, secondaryWriter } = alarms;
  const vpcRegions = checkVpcs(construct, Stack.of(scope), props.vpcs);
  for (const region of [primaryWriter.region, secondaryWriter.region]) {
    if (!vpcRegions.has(region)) {
      throw propError(construct, 'vpcs', `VPCs in ${[...vpcRegions].join(', ')}`,
        `VPCs in both Regions, ${primaryWriter.region} and ${secondaryWriter.region}: none is in ${region}, so clients there could not resolve the names after a failover`);
    }
  }
  const { zone, zoneName } = props.zone ? givenZone(construct, props) : newZone(scope, construct, props, settings);
  for (const [prop, name] of [['writerRecordName', settings.writerName], ['readerRecordName', settings.readerName]] as const) {
    if (name !== undefined && (name === zoneName || name.endsWith(`.${zoneName}`))) {
      throw propError(construct, prop, name, `a name relative to the zone, without the zone name: it becomes ${name}.${zoneName}`);
    }
  }
  return { zone, zoneName };
}

function givenZone(construct: string, props: Route53DbFailoverProps): { zone: route53.IPrivateHostedZone; zoneName: string } {
  const zone = props.zone!;
  if (props.zoneName !== undefined) {
    throw propError(construct, 'zoneName', props.zoneName, 'unset when zone is given');
  }
  let zoneName: string;
  try {
    zoneName = zone.zoneName;
  } catch {
    throw propError(construct, 'zone', zone.node.path,
      'a zone whose name is known: import it with PrivateHostedZone.fromPrivateHostedZoneAttributes');
  }
  checkZoneName(construct, 'zone', zoneName);
  return { zone, zoneName };
}

function newZone(scope: Construct, construct: string, props: Route53DbFailoverProps, settings: FailoverSettings)
  : { zone: route53.IPrivateHostedZone; zoneName: string } {
  if (props.zoneName === undefined || !DNS_NAME.test(props.zoneName)) {
    throw propError(construct, 'zoneName', props.zoneName, 'a lower-case domain name such as orders.internal (required when zone is not given)');
  }
  const zoneName = props.zoneName;
  checkZoneName(construct, 'zoneName', zoneName);
  const { writerName, readerName } = settings;
  const zone = new route53.PrivateHostedZone(scope, 'Zone', {
    zoneName,
    vpc: props.vpcs[0],
    comment: `Failover names of the PostgreSQL database (cdk-resilient-postgres): ${writerName}${readerName ? `, ${readerName}` : ''}`,
  });
  for (const vpc of props.vpcs.slice(1)) {
    zone.addVpc(vpc);
  }
  return { zone, zoneName };
}
