import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { JAVA_SDK_VERSION } from '../contracts/java-sdk-model';

/**
 * Builds the pgjdbc cases (JdbcCases.java) with the helper examples/connecting/java/FailoverConnect.java: Maven fetches
 * pgjdbc and the AWS SDK for Java's RDS module from Maven Central into `.tools/m2` (the classpath is cached in
 * `.tools/connecting-jdbc`), and javac compiles both files into a temporary directory.
 */
export const PGJDBC_VERSION = '42.7.14';

const ROOT = path.join(__dirname, '..', '..');
const TOOLS = fs.realpathSync(path.join(ROOT, '.tools'));

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

function dependencyClasspath(): string {
  const cache = path.join(TOOLS, 'connecting-jdbc', `pgjdbc-${PGJDBC_VERSION}-sdk-${JAVA_SDK_VERSION}`);
  const file = path.join(cache, 'classpath.txt');
  // A cached classpath whose jars are gone (another checkout's .tools, a cleaned Maven repository) is built again.
  const stale = () => fs.readFileSync(file, 'utf-8').trim().split(path.delimiter).some((jar) => !fs.existsSync(jar));
  if (!fs.existsSync(file) || stale()) {
    fs.mkdirSync(cache, { recursive: true });
    fs.writeFileSync(path.join(cache, 'pom.xml'), `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cdk-resilient-postgres.test</groupId><artifactId>connecting-jdbc</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>${PGJDBC_VERSION}</version></dependency>
    <dependency><groupId>software.amazon.awssdk</groupId><artifactId>rds</artifactId><version>${JAVA_SDK_VERSION}</version></dependency>
  </dependencies>
</project>
`);
    run('mvn', ['-q', '-B', `-Dmaven.repo.local=${path.join(TOOLS, 'm2')}`, '-f', path.join(cache, 'pom.xml'),
      'dependency:build-classpath', `-Dmdep.outputFile=${file}.tmp`]);
    fs.renameSync(`${file}.tmp`, file);
  }
  return fs.readFileSync(file, 'utf-8').trim();
}

/** Compiles the cases into `outDir`; returns the classpath to run `JdbcCases` with. */
export function buildJdbcCases(outDir: string): string {
  const classpath = dependencyClasspath();
  run('javac', ['-nowarn', '-cp', classpath, '-d', outDir,
    path.join(ROOT, 'examples', 'connecting', 'java', 'FailoverConnect.java'), path.join(__dirname, 'JdbcCases.java')]);
  return `${classpath}${path.delimiter}${outDir}`;
}
