import { App, Stack } from 'aws-cdk-lib';
import { MultiRegionPostgres, MultiRegionPostgresProps } from '../../src';
import { ACCOUNT, DR_REGION, PRIMARY_ENDPOINT, PRIMARY_REGION, PRIMARY_VPC_ID, newStack } from '../util';

/** The DR Region's key for the replicated backups, as `drBackupKeyArn`. */
export const DR_KEY = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/3f2c6a8e-5d4b-4c1e-9a7f-0b8e2d6c4a10`;
/** The DR Region's key for the secret's replica, as `drSecretKeyArn`. */
export const DR_SECRET_KEY = `arn:aws:kms:${DR_REGION}:${ACCOUNT}:key/8d1e4b2a-7c3f-4e6d-b5a9-2f0c7e1d3b64`;

/** A `MultiRegionPostgres` named `orders` unless `props` say otherwise. */
export function multiRegion(props: Partial<MultiRegionPostgresProps>): (app: App) => void {
  return (app) => {
    multiRegionIn(newStack(app, 'Primary', PRIMARY_REGION), newStack(app, 'Dr', DR_REGION), props);
  };
}

/** A `MultiRegionPostgres` named `orders` (unless `props` say otherwise) from `primaryStack` to `drStack`. */
export function multiRegionIn(primaryStack: Stack, drStack: Stack, props: Partial<MultiRegionPostgresProps>): MultiRegionPostgres {
  return new MultiRegionPostgres(primaryStack, 'Orders', {
    drScope: drStack,
    name: 'orders',
    zoneName: 'orders.internal',
    drBackupKeyArn: DR_KEY,
    drSecretKeyArn: DR_SECRET_KEY,
    primaryEndpointAddress: PRIMARY_ENDPOINT,
    primaryVpcId: PRIMARY_VPC_ID,
    ...props,
  });
}
