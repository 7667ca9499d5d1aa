import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { backupRetentionDaysOf, cfnDbInstanceOf, literalIdentifierOf, numberOrUndefined } from './db-instance-facts';
import { propError } from './errors';
import { partitionOfRegion } from './validation';
import type { ReplicaSourceAttributes } from '../cross-region-read-replica/replica-source';

/** What a replica needs to know about its source, read at synth time. */
export interface ResolvedSource {
  /** The prop the source came from, for error messages. */
  readonly prop: string;
  /** How error messages name the source. */
  readonly arnDescription: string;
  readonly region: string;
  /** The source's partition: the ARN's, or that of the source's Region; undefined for a Region aws-cdk-lib does not know. */
  readonly partition?: string;
  readonly account: string;
  readonly identifier: string;
  readonly engine: rds.IInstanceEngine;
  /** e.g. `db.m7g.large` */
  readonly instanceClass: string;
  readonly storageType: rds.StorageType;
  readonly maxAllocatedStorage?: number;
  /** The source's allocated storage in GiB, when the template says; a replica starts with the same size. */
  readonly allocatedStorage?: number;
  readonly port: number;
  readonly storageEncrypted: boolean;
  readonly masterPasswordManagedByRds: boolean;
  /** The source's automated-backup retention in days, when known at synth (see `backupRetentionDaysOf`). */
  readonly backupRetentionDays?: number;
}

/** Reads a replica's source from exactly one of `sourceInstance` and `sourceAttributes`. */
export function resolveReplicaSource(construct: string, instance?: rds.IDatabaseInstance, attributes?: ReplicaSourceAttributes): ResolvedSource {
  if ((instance === undefined) === (attributes === undefined)) {
    throw propError(construct, 'sourceInstance', instance === undefined ? undefined : instance.node.path,
      'give exactly one of sourceInstance (a DB instance of this app) and sourceAttributes (an ARN plus attributes)');
  }
  return instance ? fromInstance(construct, instance) : fromAttributes(construct, attributes!);
}

function fromInstance(construct: string, instance: rds.IDatabaseInstance): ResolvedSource {
  const prop = 'sourceInstance';
  const path = instance.node.path;
  const cfn = cfnDbInstanceOf(instance);
  if (!cfn) {
    throw propError(construct, prop, path,
      'a DB instance defined in this CDK app (rds.DatabaseInstance or MultiAzPostgres.instance); describe other sources with sourceAttributes');
  }
  if (cfn.dbClusterIdentifier !== undefined) {
    throw propError(construct, prop, path, 'a standalone DB instance; instances of a DB cluster cannot have DB instance read replicas');
  }
  if (cfn.sourceDbInstanceIdentifier !== undefined) {
    throw propError(construct, prop, path,
      'a primary DB instance; this instance is itself a read replica, and the replica of a cross-Region replica would chain two Regions of lag');
  }
  const stack = Stack.of(instance);
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
    throw propError(construct, prop, path,
      `a DB instance in a stack with an explicit env (account and region); stack ${stack.stackName} is environment-agnostic`);
  }
  const identifier = literalIdentifierOf(instance);
  if (identifier === undefined) {
    throw propError(construct, prop, path,
      'a DB instance with a literal instanceIdentifier, so the source ARN is known at synth time without cross-Region references');
  }
  if (!instance.engine) {
    throw propError(construct, prop, path, 'a DB instance whose engine is known; describe it with sourceAttributes');
  }
  // aws-cdk-lib renders several instance properties lazily; resolve them the way synthesis will.
  const resolved = (value: unknown): unknown => stack.resolve(value);
  const instanceClass = resolved(cfn.dbInstanceClass);
  if (typeof instanceClass !== 'string') {
    throw propError(construct, prop, path, 'a DB instance with a literal instance class');
  }
  return {
    prop,
    arnDescription: path,
    region: stack.region,
    partition: partitionOfRegion(stack.region),
    account: stack.account,
    identifier,
    engine: instance.engine,
    instanceClass,
    storageType: (typeof resolved(cfn.storageType) === 'string' ? resolved(cfn.storageType) : rds.StorageType.GP2) as rds.StorageType,
    maxAllocatedStorage: numberOrUndefined(resolved(cfn.maxAllocatedStorage)),
    allocatedStorage: numberOrUndefined(resolved(cfn.allocatedStorage)),
    port: numberOrUndefined(resolved(cfn.port)) ?? 5432,
    storageEncrypted: resolved(cfn.storageEncrypted) === true,
    masterPasswordManagedByRds: resolved(cfn.manageMasterUserPassword) === true,
    backupRetentionDays: backupRetentionDaysOf(cfn),
  };
}

function fromAttributes(construct: string, attrs: ReplicaSourceAttributes): ResolvedSource {
  const prop = 'sourceAttributes.instanceArn';
  const arn = attrs.instanceArn;
  if (Token.isUnresolved(arn)) {
    throw propError(construct, prop, arn, 'a literal ARN, such as arn:aws:rds:us-east-1:111111111111:db:orders-primary');
  }
  const parts = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):db:([a-zA-Z][a-zA-Z0-9-]{0,62})$/.exec(arn);
  if (!parts) {
    throw propError(construct, prop, arn, 'a DB instance ARN of the form arn:<partition>:rds:<region>:<12-digit account>:db:<identifier>');
  }
  const split = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME);
  const port = attrs.port ?? 5432;
  if (!Number.isInteger(port) || port < 1150 || port > 65535) {
    throw propError(construct, 'sourceAttributes.port', port, 'a whole number from 1150 to 65535');
  }
  return {
    prop,
    arnDescription: arn,
    region: split.region!,
    partition: split.partition,
    account: split.account!,
    identifier: split.resourceName!.toLowerCase(),
    engine: attrs.engine,
    instanceClass: `db.${attrs.instanceType.toString().replace(/^db\./, '')}`,
    storageType: attrs.storageType ?? rds.StorageType.GP3,
    port,
    storageEncrypted: attrs.storageEncrypted ?? true,
    masterPasswordManagedByRds: attrs.masterUserPasswordManagedByRds ?? false,
  };
}
