/**
 * The AWS SDK for Java v2 model that Step Functions' AWS SDK integrations follow, read from the SDK's own jars.
 *
 * Step Functions names an AWS SDK integration's request fields, result fields and errors after the AWS SDK for Java v2,
 * not after the service API: the action is the Java client's method (`describeDBInstances`), a field is the Java member
 * name with its first letter upper-cased (`DbInstanceIdentifier`, but `ReadReplicaSourceDBInstanceIdentifier`, where
 * the SDK keeps "DB"), and an error is `<Prefix>.<Java exception class>` (`Rds.DbInstanceNotFoundException`), with the
 * service's base exception (`Rds.RdsException`) for errors the model does not name. The service name in the resource
 * ARN is the SDK's package (`software.amazon.awssdk.services.<service>`) and the error prefix is its client's name
 * (`RdsClient`: `Rds`, `CloudWatchClient`: `CloudWatch`), as the prefix column of AWS's table of integrations shows.
 *
 * `javaSdkModel()` fetches the pinned service jars from Maven Central with Maven into `.tools/m2`, compiles
 * `JavaSdkModel.java` into `.tools/java-sdk-model` and runs it; the JSON it prints is cached there, keyed by the SDK
 * version and the services. The contract check (sfn-sdk.test.ts) and the moto harness (test/failover-runbook) both read
 * this one dump.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * @see https://github.com/awsdocs/aws-step-functions-developer-guide/blob/main/doc_source/supported-services-awssdk.md (the "Exception prefix" column)
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The AWS SDK for Java v2 release the model is read from (Maven Central, software.amazon.awssdk). */
export const JAVA_SDK_VERSION = '2.57.8';

/**
 * Services whose jar Maven Central does not carry at JAVA_SDK_VERSION, with the newest release it has. `fis`: the
 * artifact's maven-metadata.xml lists 2.40.2 as its newest release, and the jars of later releases answer 404 (checked
 * 2026-11-26: https://repo1.maven.org/maven2/software/amazon/awssdk/fis/). The model of an older release names the
 * same methods, fields and exceptions unless the service's API changed since.
 */
export const SERVICE_VERSIONS: Record<string, string> = { fis: '2.40.2' };

const ROOT = path.join(__dirname, '..', '..');
const TOOLS = path.join(ROOT, '.tools');
const CACHE = path.join(TOOLS, 'java-sdk-model', JAVA_SDK_VERSION);

export type MemberType = { scalar: string } | { structure: string } | { list: MemberType } | { map: MemberType };

export interface Member {
  /** The Java field, e.g. `dbInstanceIdentifier`. */
  readonly java: string;
  /** The name on the wire and in botocore, e.g. `DBInstanceIdentifier`. */
  readonly wire: string;
  readonly type: MemberType;
}

export interface Shape {
  readonly class: string;
  /** By the name Step Functions uses: the Java name with its first letter upper-cased. */
  readonly members: Record<string, Member>;
}

export interface ServiceModel {
  /** The synchronous client interface, e.g. `software.amazon.awssdk.services.rds.RdsClient`. */
  readonly client: string;
  /** The error prefix: the client's name without `Client`. */
  readonly prefix: string;
  /** The service's base exception class, e.g. `RdsException`. */
  readonly baseException: string;
  /** By the client's method name. */
  readonly operations: Record<string, { input: string; output: string }>;
  readonly shapes: Record<string, Shape>;
  /** Every exception class extending the base exception (itself included), with the error codes mapped to it. */
  readonly exceptions: Record<string, { errorCodes: string[] }>;
}

export interface JavaSdkModel {
  readonly services: Record<string, ServiceModel>;
}

/** The path of the JSON dump for these services, made when missing. */
export function javaSdkModelFile(services: string[]): string {
  const wanted = [...new Set(services)].sort();
  for (const s of wanted) {
    if (!/^[a-z0-9]+$/.test(s)) {
      throw new Error(`not an AWS SDK integration service name: ${s}`);
    }
  }
  const file = path.join(CACHE, `model-${wanted.join('-')}.json`);
  if (fs.existsSync(file)) {
    return file;
  }
  fs.mkdirSync(CACHE, { recursive: true });
  withLock(path.join(CACHE, '.lock'), () => {
    if (fs.existsSync(file)) {
      return;
    }
    const work = fs.mkdtempSync(path.join(CACHE, 'work-'));
    try {
      const dependencies = wanted.map((s) => `<dependency><groupId>software.amazon.awssdk</groupId><artifactId>${s}</artifactId>`
        + `<version>${SERVICE_VERSIONS[s] ?? JAVA_SDK_VERSION}</version></dependency>`).join('\n    ');
      fs.writeFileSync(path.join(work, 'pom.xml'), `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cdk-resilient-postgres.test</groupId><artifactId>java-sdk-model</artifactId><version>1</version>
  <dependencies>
    ${dependencies}
  </dependencies>
</project>
`);
      const classpathFile = path.join(work, 'classpath.txt');
      run('mvn', ['-q', '-B', `-Dmaven.repo.local=${path.join(TOOLS, 'm2')}`, '-f', path.join(work, 'pom.xml'),
        'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`]);
      const classes = path.join(work, 'classes');
      run('javac', ['-nowarn', '-d', classes, path.join(__dirname, 'JavaSdkModel.java')]);
      const classpath = `${fs.readFileSync(classpathFile, 'utf-8').trim()}${path.delimiter}${classes}`;
      const json = run('java', ['-cp', classpath, 'JavaSdkModel', ...wanted]);
      JSON.parse(json);
      fs.writeFileSync(`${file}.tmp`, json);
      fs.renameSync(`${file}.tmp`, file);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
  return file;
}

/** The Java SDK model of these services. */
export function javaSdkModel(services: string[]): JavaSdkModel {
  return JSON.parse(fs.readFileSync(javaSdkModelFile(services), 'utf-8'));
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/** Runs `fn` holding a lock file, so that parallel jest workers build the cache once. */
function withLock(lock: string, fn: () => void): void {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e: any) {
      if (e.code !== 'EEXIST') {
        throw e;
      }
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 600_000) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`${lock} held for more than 10 minutes`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
