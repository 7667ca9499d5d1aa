import { Annotations, ContextProvider, Stack, Token } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { Construct } from 'constructs';
import { Warnings } from '../common/warnings';
import { propError } from '../private/errors';
import { partitionOfRegion, validateRegionName } from '../private/validation';

const CONSTRUCT = 'DeployParameters';

/**
 * A value one deploy of a `MultiRegionPostgres` app needs from an earlier one: another Region's stack can only name it
 * by a literal. Each is kept in an SSM parameter named `DeployParameters.parameterName(name, value)` in the Region of
 * the stack that creates it.
 */
export enum DeployValue {
  /**
   * The ARN of the DR Region's key of the replicated automated backups (`drBackupKeyArn`), such as
   * `DrBackupVault.encryptionKey.keyArn`. Written in the DR foundation stack, read by the primary stack.
   */
  DR_BACKUP_KEY_ARN = 'dr-backup-key-arn',
  /**
   * The ARN of the DR Region's key of the master secret's replica (`drSecretKeyArn`), such as `DrSecretKey.keyArn`.
   * Written in the DR foundation stack, read by the primary stack.
   */
  DR_SECRET_KEY_ARN = 'dr-secret-key-arn',
  /**
   * The primary's endpoint address (`primaryEndpointAddress`). Written in the primary stack (`MultiRegionPostgres`
   * `deployParameters`), read by the DR stack.
   */
  PRIMARY_ENDPOINT_ADDRESS = 'primary-endpoint-address',
  /**
   * The primary VPC's ID (`primaryVpcId`). Written in the primary stack (`MultiRegionPostgres` `deployParameters`),
   * read by the DR stack.
   */
  PRIMARY_VPC_ID = 'primary-vpc-id',
}

/**
 * The lookup mode of a `MultiRegionPostgres` app: instead of copying the outputs of one deploy into the code of the next
 * (`drBackupKeyArn` and `drSecretKeyArn` from the DR foundation stack, `primaryEndpointAddress` and `primaryVpcId` from
 * the primary stack), each stack writes them into SSM parameters of its own Region (`publish`, or `MultiRegionPostgres`
 * `deployParameters`), and the next stack reads them when the app is synthesized (`lookup`).
 *
 * A lookup is a context lookup of aws-cdk-lib's SSM parameter provider, with the parameter's Region in its query: the
 * CDK CLI reads the parameter with the AWS credentials of the synth (through the bootstrap lookup role of the reading
 * stack's environment), and caches the value in `cdk.context.json`. Commit that file: later synths, in CI too, read the
 * cached value and need no credentials. To read a changed value, remove it with `cdk context --reset <key>`.
 *
 * While a value has not been looked up (a synth without credentials, or a parameter that does not exist yet), the
 * lookup returns a placeholder of the right shape and records the missing context key in the cloud assembly; the CLI
 * then runs the lookup and synthesizes again. When the lookup fails (no credentials, or no such parameter yet), the
 * reading stack carries aws-cdk-lib's error and the CLI refuses to deploy it. With the feature flag
 * `@aws-cdk/core:annotationsInValidationReport` that error fails the synth of the whole app, so the lookups of a later
 * stack stop the first deploys of the earlier ones too (docs/deploying.md, "Lookup mode", says how to go through).
 * Outside the CLI (`app.synth()` in a script), the placeholder stays in the template, with the warning
 * `cdk-resilient-postgres:deployParameterNotLookedUp`.
 *
 * `kms.Key.fromLookup` and `ec2.Vpc.fromLookup` are not used: a key alias lookup reads the stack's own Region only,
 * while the keys live in the DR Region and the primary stack needs them.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.ContextProvider.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/what-is-a-parameter.html
 *
 * @example
 * declare const drFoundation: Stack; // us-west-2, deployed first
 * declare const primary: Stack;      // us-east-1, deployed second
 * declare const dr: Stack;           // us-west-2, deployed last
 * const vault = new DrBackupVault(drFoundation, 'BackupVault');
 * const secretKey = new DrSecretKey(drFoundation, 'SecretKey');
 * DeployParameters.publish(drFoundation, 'orders', DeployValue.DR_BACKUP_KEY_ARN, vault.encryptionKey.keyArn);
 * DeployParameters.publish(drFoundation, 'orders', DeployValue.DR_SECRET_KEY_ARN, secretKey.keyArn);
 * new MultiRegionPostgres(primary, 'Orders', {
 *   drScope: dr,
 *   name: 'orders',
 *   zoneName: 'orders.internal',
 *   deployParameters: true,
 *   drBackupKeyArn: DeployParameters.lookup(primary, 'orders', DeployValue.DR_BACKUP_KEY_ARN, 'us-west-2'),
 *   drSecretKeyArn: DeployParameters.lookup(primary, 'orders', DeployValue.DR_SECRET_KEY_ARN, 'us-west-2'),
 *   primaryEndpointAddress: DeployParameters.lookup(dr, 'orders', DeployValue.PRIMARY_ENDPOINT_ADDRESS, 'us-east-1'),
 *   primaryVpcId: DeployParameters.lookup(dr, 'orders', DeployValue.PRIMARY_VPC_ID, 'us-east-1'),
 * });
 */
export class DeployParameters {
  /** The prefix of every parameter name. */
  public static readonly PREFIX = '/cdk-resilient-postgres';

  /**
   * The name of the SSM parameter that holds a value of the pattern called `name`:
   * `/cdk-resilient-postgres/<name>/<value>`, such as `/cdk-resilient-postgres/orders/primary-endpoint-address`.
   *
   * @param name the `MultiRegionPostgres` `name`
   * @param value which value
   */
  public static parameterName(name: string, value: DeployValue): string {
    validateName(name);
    return `${DeployParameters.PREFIX}/${name}/${value}`;
  }

  /**
   * Writes a value into an SSM parameter (a `String` of the standard tier) in the stack of `scope`, under
   * `parameterName(name, value)`. Its construct ID is `<name>-<value>`, such as `orders-dr-backup-key-arn`.
   *
   * @param scope where the parameter goes: in the stack that creates the value
   * @param name the `MultiRegionPostgres` `name`
   * @param value which value
   * @param stringValue the value, such as `DrSecretKey.keyArn`
   */
  public static publish(scope: Construct, name: string, value: DeployValue, stringValue: string): ssm.StringParameter {
    return new ssm.StringParameter(scope, `${name}-${value}`, {
      parameterName: DeployParameters.parameterName(name, value),
      stringValue,
      description: `cdk-resilient-postgres: ${value} of ${name}, read by the next deploy of the app (DeployParameters.lookup)`,
    });
  }

  /**
   * Reads a value written by `publish` (or by `MultiRegionPostgres` `deployParameters`) when the app is synthesized:
   * a context lookup in the stack of `scope` that reads the parameter in `region`. Returns the cached value
   * (`cdk.context.json`), or, until the lookup has run, a placeholder of the value's shape (a key ARN with an all-zero
   * key ID, `<name>-primary.placeholder.<region>.rds.amazonaws.com`, `vpc-00000000`): the missing key is recorded in
   * the cloud assembly for the CDK CLI to look up, and the stack gets the warning
   * `cdk-resilient-postgres:deployParameterNotLookedUp`.
   *
   * @param scope a construct in the stack that needs the value: the primary stack for the key ARNs, the DR stack for
   * the primary's endpoint address and VPC ID (so that the primary stack deploys before they exist)
   * @param name the `MultiRegionPostgres` `name`
   * @param value which value
   * @param region the Region of the parameter (of the stack that wrote it): the DR Region for the key ARNs, the
   * primary Region for the endpoint address and the VPC ID
   */
  public static lookup(scope: Construct, name: string, value: DeployValue, region: string): string {
    const parameterName = DeployParameters.parameterName(name, value);
    if (Token.isUnresolved(region)) {
      throw propError(CONSTRUCT, 'region', region, 'a literal Region name: the lookup runs at synth');
    }
    validateRegionName(CONSTRUCT, 'region', region);
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw propError(CONSTRUCT, 'scope', scope.node.path,
        'a construct in a stack with an explicit env (account and region): a context lookup needs them');
    }
    const provider = cxschema.ContextProvider.SSM_PARAMETER_PROVIDER;
    const props = { parameterName, region };
    const placeholder = placeholderOf(value, name, region, stack.account);
    const found = ContextProvider.getValue(scope, { provider, props, dummyValue: placeholder, mustExist: true }).value;
    const cached = scope.node.tryGetContext(ContextProvider.getKey(scope, { provider, props }).key);
    if (cached === undefined) {
      // aws-cdk-lib records the missing key in the cloud assembly, and the CDK CLI looks it up and synthesizes again.
      // A warning rather than an error: with @aws-cdk/core:annotationsInValidationReport (a recommended flag) an error
      // annotation makes app.synth() throw, and the CLI's first synth would fail before it could run the lookup. A
      // failed lookup is an error of aws-cdk-lib's own (ContextProviderError).
      Annotations.of(scope).addWarningV2(Warnings.DEPLOY_PARAMETER_NOT_LOOKED_UP, `${value} of ${name} is read from SSM `
        + `parameter ${parameterName} in ${region} when the CDK CLI synthesizes the app with AWS credentials (and cached in `
        + `cdk.context.json); until then the stack holds the placeholder ${placeholder}. Deploy the stack that writes the `
        + 'parameter first, then synthesize with the CDK CLI.');
    }
    return typeof found === 'string' ? found : placeholder;
  }

  private constructor() {}
}

function validateName(name: string): void {
  if (Token.isUnresolved(name) || !/^[a-z][a-z0-9-]{0,49}$/.test(name) || name.endsWith('-') || name.includes('--')) {
    throw propError(CONSTRUCT, 'name', name,
      'the MultiRegionPostgres name: lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen, at most 50 characters');
  }
}

/** A placeholder the pattern's checks accept, so that a synth before the lookup completes and reports the lookup. */
function placeholderOf(value: DeployValue, name: string, region: string, account: string): string {
  switch (value) {
    case DeployValue.DR_BACKUP_KEY_ARN:
    case DeployValue.DR_SECRET_KEY_ARN:
      return `arn:${partitionOfRegion(region) ?? 'aws'}:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`;
    case DeployValue.PRIMARY_ENDPOINT_ADDRESS:
      return `${name}-primary.placeholder.${region}.rds.amazonaws.com`;
    case DeployValue.PRIMARY_VPC_ID:
      return 'vpc-00000000';
  }
}
