import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { propError } from './errors';
import { partitionOfRegion, validatePort } from './validation';
import type { IPostgresInstance } from '../common/postgres-instance';
import type { ReplicaSourceAttributes } from '../cross-region-read-replica/replica-source';

/** The sources of the replicas of this app, by replica: `sourceInstance`, or undefined for `sourceAttributes`. */
const REPLICA_SOURCES = new WeakMap<object, { readonly source?: IPostgresInstance }>();

/** Records a replica's source, so the parts built on the replica (its probe) can read what the source carries. */
export function recordReplicaSource(replica: object, source: IPostgresInstance | undefined): void {
  REPLICA_SOURCES.set(replica, { source });
}

/**
 * The source of a `CrossRegionReadReplica` of this app (`source` undefined when it was given by attributes); undefined
 * for any other instance.
 */
export function replicaSourceOf(instance: object): { readonly source?: IPostgresInstance } | undefined {
  return REPLICA_SOURCES.get(instance);
}

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
export function resolveReplicaSource(construct: string, instance?: IPostgresInstance, attributes?: ReplicaSourceAttributes): ResolvedSource {
  if ((instance === undefined) === (attributes === undefined)) {
    throw propError(construct, 'sourceInstance', instance === undefined ? undefined : instance.instance.node.path,
      'give exactly one of sourceInstance (a DB instance of this app or an import) and sourceAttributes (an ARN plus attributes)');
  }
  return instance ? fromInstance(construct, instance) : fromAttributes(construct, attributes!);
}

function fromInstance(construct: string, instance: IPostgresInstance): ResolvedSource {
  const prop = 'sourceInstance';
  const path = instance.instance.node.path;
  if (instance.replicationSourceArn !== undefined) {
    throw propError(construct, prop, path,
      'a primary DB instance; this instance is itself a read replica, and the replica of a cross-Region replica would chain two Regions of lag');
  }
  if (Token.isUnresolved(instance.region) || Token.isUnresolved(instance.account)) {
    throw propError(construct, prop, path,
      `a DB instance in a stack with an explicit env (account and region); stack ${Stack.of(instance).stackName} is environment-agnostic`);
  }
  if (instance.instanceType === undefined) {
    throw propError(construct, prop, path, 'a DB instance with a literal instance class');
  }
  return {
    prop,
    arnDescription: path,
    region: instance.region,
    partition: partitionOfRegion(instance.region),
    account: instance.account,
    identifier: instance.instanceIdentifier,
    engine: instance.engine,
    instanceClass: `db.${instance.instanceType.toString()}`,
    storageType: instance.storageType ?? rds.StorageType.GP3,
    maxAllocatedStorage: instance.maxAllocatedStorage,
    allocatedStorage: instance.allocatedStorage,
    port: instance.port,
    storageEncrypted: instance.storageEncrypted ?? true,
    masterPasswordManagedByRds: instance.masterUserPasswordManagedByRds ?? false,
    backupRetentionDays: instance.backupRetention?.toDays(),
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
  validatePort(construct, 'sourceAttributes.port', port);
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
