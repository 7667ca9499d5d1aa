import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { replicaSourceOf } from './replica-source-resolution';
import type { IPostgresInstance } from '../common/postgres-instance';
import { Warnings } from '../common/warnings';

/**
 * The secret's CloudFormation resource, when this app defines it. An attachment (what a DB instance's `secret` is) is
 * made inside the secret it attaches, so its scope is the secret.
 */
function definedSecret(secret: secretsmanager.ISecret): secretsmanager.CfnSecret | undefined {
  const child = secret.node.defaultChild;
  if (child instanceof secretsmanager.CfnSecret) {
    return child;
  }
  const scope = secret.node.scope;
  if (child instanceof secretsmanager.CfnSecretTargetAttachment && scope !== undefined) {
    const attached = scope.node.defaultChild;
    return attached instanceof secretsmanager.CfnSecret ? attached : undefined;
  }
  return undefined;
}

/** The Regions a secret of this app is replicated to (`ReplicaRegions`). */
function replicaRegionsOf(cfn: secretsmanager.CfnSecret): string[] {
  const resolved = Stack.of(cfn).resolve(cfn.replicaRegions) as Array<{ region?: string; Region?: string }> | undefined;
  return (resolved ?? []).map((entry) => entry.region ?? entry.Region ?? '');
}

/**
 * Refuses the `credentials` of a probe of a cross-Region read replica when they are the source's master secret and that
 * secret has no replica in the probe's Region: the probe could not read it, the DR database would never count as
 * writable, and the writer name would never fail over. A replica secret keeps its primary's name (its ARN differs only
 * by the Region), so an imported secret of the same name is the replica. A secret the app creates in the probe's Region
 * is a login of its own, and an imported one of another name too. Where the synth cannot tell (an imported source or
 * master secret, a generated name), it warns (`Warnings.SECRET_REPLICATION_UNKNOWN`).
 *
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html
 */
export function checkCredentialsReplicated(scope: IConstruct, construct: string, instance: IPostgresInstance,
  credentials: secretsmanager.ISecret): void {
  const replica = replicaSourceOf(instance);
  const region = Stack.of(scope).region;
  if (replica === undefined || Token.isUnresolved(region)) {
    return;
  }
  const credentialsCfn = definedSecret(credentials);
  const credentialsRegion = Stack.of(credentials).region;
  if (credentialsCfn !== undefined && credentialsRegion === region) {
    return;
  }
  // The credentials given from another Region's stack are that Region's secret itself; otherwise the probe reads the
  // replica of the source's master secret, if the credentials are that.
  const master = credentialsCfn !== undefined ? credentials : replica.source?.masterSecret;
  const masterCfn = master === undefined ? undefined : definedSecret(master);
  const masterName = masterCfn?.name;
  const credentialsName = credentials.secretName;
  const knownNames = typeof masterName === 'string' && !Token.isUnresolved(masterName)
    && typeof credentialsName === 'string' && !Token.isUnresolved(credentialsName);
  const isMaster = credentialsCfn !== undefined || (knownNames && masterName === credentialsName);
  if (knownNames && !isMaster) {
    return;
  }
  if (master === undefined || masterCfn === undefined || !isMaster) {
    Annotations.of(scope).addWarningV2(Warnings.SECRET_REPLICATION_UNKNOWN,
      `${construct}: cannot tell at synth whether the credentials ${credentials.node.path} can be read in ${region}. If they are the `
      + `source's master secret, it must be replicated to ${region} (MultiAzPostgres secretReplicaRegions, or ReplicateSecretToRegions `
      + 'for a secret made elsewhere): otherwise the probe cannot log in, the DR database never counts as writable and the writer '
      + `name never fails over. Once checked, acknowledge it: Annotations.of(probe).acknowledgeWarning('${Warnings.SECRET_REPLICATION_UNKNOWN}', '<reason>').`);
    return;
  }
  const replicated = replicaRegionsOf(masterCfn);
  if (!replicated.includes(region)) {
    throw propError(construct, 'credentials', credentials.node.path,
      `a secret the probe can read in ${region}: these credentials are the source's master secret ${masterCfn.node.scope?.node.path ?? master.node.path}, which has no `
      + `replica in ${region} (its replica Regions: ${replicated.length === 0 ? 'none' : replicated.join(', ')}); add { region: '${region}', `
      + `encryptionKey: <a key of ${region}, such as a DrSecretKey's> } to the source MultiAzPostgres secretReplicaRegions, or give the `
      + `credentials of a login secret created in ${region}`);
  }
}
