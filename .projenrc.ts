import { DependencyType, awscdk, javascript } from 'projen';

/**
 * The lowest aws-cdk-lib the library supports: the newest release that npm, PyPI and Maven Central all carry
 * (checked 2026-11: PyPI has up to 2.275.0, Maven Central up to 2.263.0), so the Python and Java packages install.
 * It is above 2.257.0, below which cdk-nag 3.x does not work.
 */
const CDK_FLOOR = '2.263.0';
/** The aws-cdk-lib the test suite runs on: the newest release. */
const CDK_TESTED = '2.276.0';
/** The repository's page: npm's homepage, PyPI's Source and Homepage, the pom's url. No `.git`, which npm and PyPI show as is. */
const REPOSITORY = 'https://github.com/cdk-resilient-postgres/cdk-resilient-postgres';
/**
 * The Node.js of the generated release workflow: its npm must be 11.5.1 or later for npm trusted publishing
 * (https://docs.npmjs.com/trusted-publishers). Node 22 ships npm 10; Node 24 ships npm 11.
 */
const RELEASE_NODE = '24.x';
/**
 * The release build runs the whole test suite, as scripts/test.sh does: the probe and connection tests start
 * PostgreSQL servers on loopback, the contract checks read jars with Maven, and cfn-lint, moto and policy_sentry run
 * from the tool virtualenv. The generated workflow's runner has no PostgreSQL and no virtualenv.
 */
const RELEASE_TEST_SETUP = [
  {
    name: 'Install the Debian packages the tests need (PostgreSQL, OpenSSL, Maven, a JDK)',
    run: 'sudo bash scripts/ensure-packages.sh',
  },
  {
    name: 'Tool virtualenv (cfn-lint, moto, policy_sentry)',
    run: 'python3 -m venv .tools/venv && .tools/venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-dev.txt',
  },
];

const project = new awscdk.AwsCdkConstructLibrary({
  // The npm package stays under 1 MB unpacked (docs/benchmarks.md): the assembly is gzipped (.jsii.gz; jsii-pacmak,
  // jsii-rosetta and jsii-docgen read it), and lib/ ships without inline source maps.
  compressAssembly: true,
  name: 'cdk-resilient-postgres',
  description:
    'Secure-by-default AWS CDK constructs for Amazon RDS for PostgreSQL that survive an Availability Zone and a Region loss.',
  author: 'cdk-resilient-postgres maintainers',
  authorAddress: 'maintainers@cdk-resilient-postgres.dev',
  // A person-like author: jsii writes it as the pom's <developer><name>, which Maven Central requires.
  authorOrganization: false,
  repositoryUrl: REPOSITORY,
  homepage: REPOSITORY,
  license: 'Apache-2.0',
  keywords: ['aws-cdk', 'cdk', 'rds', 'postgresql', 'disaster-recovery', 'multi-az', 'multi-region', 'failover'],
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // What consumers need: aws-cdk-lib's own floor (its `engines`), so that `engine-strict` installs do not fail for no
  // reason. The toolchain (jsii, projen's release tasks) needs Node 22: scripts/bootstrap.sh installs it.
  minNodeVersion: '20.0.0',
  // `npx cdk-resilient-postgres report cdk.out`: the report of a synthesized app (docs/report.md). tsc keeps the
  // shebang of src/report/cli.ts; npm makes the file executable when the package is installed.
  bin: { 'cdk-resilient-postgres': 'lib/report/cli.js' },

  cdkVersion: CDK_FLOOR,
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',

  devDeps: [
    'cdk-nag@^3.0.2', 'jsii-rosetta@~6.0.0', 'constructs@10.5.1',
    // The probe Lambda (src/writable-probe/db-probe.lambda.ts): pg is bundled into the asset; the AWS SDK v3 clients come with the
    // Lambda Node.js runtime, so they stay external and are dev dependencies for the unit tests only.
    'pg@^8.16.0', '@types/pg', '@types/aws-lambda',
    '@aws-sdk/client-cloudwatch@^3', '@aws-sdk/client-secrets-manager@^3', 'aws-sdk-client-mock@^4',
    // The FailoverRunbook execution tests drive moto server with these clients.
    '@aws-sdk/client-rds@^3', '@aws-sdk/client-sfn@^3', '@aws-sdk/client-sns@^3', '@aws-sdk/client-sqs@^3',
    // The runbook's JSONata expressions are also evaluated with the reference JavaScript implementation.
    'jsonata@^2',
    // The connection tests (test/connecting) sign IAM authentication tokens as applications do.
    '@aws-sdk/rds-signer@^3',
    // The toolchain's Node, not the consumers' floor (minNodeVersion), sets the Node types the sources compile against.
    '@types/node@^22',
  ],
  // The peer dependency states the floor; the dev dependency below is the newest release, which the tests run on.
  peerDependencyOptions: { pinnedDevDependency: false },

  // Lambda handlers are declared below, each with its construct under src/private/, so that no generated function
  // construct becomes part of the public API.
  lambdaAutoDiscover: false,

  // The dev tsconfig covers src, test, examples and .projenrc.ts; jsii writes tsconfig.json for the library itself.
  tsconfigDevFile: 'tsconfig.dev.json',
  // eslint type-checks every linted file (src, test, .projenrc.ts) against the dev tsconfig.
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'scripts'], tsconfigPath: './tsconfig.dev.json', projectService: false },
  tsconfigDev: {
    include: ['src/**/*.ts', 'test/**/*.ts', 'examples/typescript/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts'],
    exclude: ['node_modules', '.tools', 'cdk.out', 'demo.out', 'lib', 'dist'],
    compilerOptions: {},
  },

  publishToPypi: {
    distName: 'cdk-resilient-postgres',
    module: 'cdk_resilient_postgres',
    // OIDC from the release workflow, no token (https://docs.pypi.org/trusted-publishers/); publib uploads attestations.
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkresilientpostgres',
    mavenGroupId: 'io.github.cdk-resilient-postgres',
    mavenArtifactId: 'cdk-resilient-postgres',
    // Maven Central's Publisher Portal (publib-maven); the artifacts are signed with the GPG key in the
    // MAVEN_GPG_PRIVATE_KEY secret. CONTRIBUTING.md lists what the maintainers set up.
    mavenServerId: 'central-ossrh',
  },
  // Go has no package registry: a module is a tagged directory of a Git repository, read through the Go module proxy.
  // The release pushes the generated module (dist/go/cdkresilientpostgres) to the repository below, tagged
  // cdkresilientpostgres/v<version>, with the GO_GITHUB_TOKEN secret (CONTRIBUTING.md). Consumers import
  // github.com/cdk-resilient-postgres/cdk-resilient-postgres-go/cdkresilientpostgres (docs/compatibility.md).
  publishToGo: {
    moduleName: 'github.com/cdk-resilient-postgres/cdk-resilient-postgres-go',
    packageName: 'cdkresilientpostgres',
  },

  // Releases: versions from Conventional Commits (commit-and-tag-version), CHANGELOG.md in the release artifacts, a
  // v<version> tag and a GitHub release per version. 0.x until the deploy-fidelity work is done: breaking changes bump
  // the minor version, never to 1.0.0.
  release: true,
  majorVersion: 0,
  releaseToNpm: true,
  npmProvenance: true,
  npmTrustedPublishing: true,
  workflowNodeVersion: RELEASE_NODE,
  // The release job runs the build with the tests, so it installs what they need after `npm ci`; the publish jobs
  // only repackage the built tarball (jsii-pacmak) and need none of it.
  releaseWorkflowSetupSteps: RELEASE_TEST_SETUP,
  // CI is `.ci/run` (the three-language comparison and the release rehearsal need more than a workflow job); GitHub
  // holds only the release workflow and the pull-request title lint (Conventional Commits).
  github: true,
  githubOptions: { mergify: false, pullRequestLint: true },
  buildWorkflow: false,
  depsUpgradeOptions: { workflow: false },
  pullRequestTemplate: false,
  sampleCode: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testTimeout: 120_000,
      // V8's precise coverage slows every synthesis about fourfold: the suite takes about 16 minutes on 2 cores without
      // it and 65 with it, which left CI too little of its 90 minutes. `npx projen test:coverage` collects it.
      collectCoverage: false,
    },
  },
  gitignore: ['/.jsii.gz', '/.tools/', '/cdk.out/', '/demo.out/', '/.multilang/', '/examples/**/node_modules/', '/examples/python/.venv/', '/examples/java/target/', '/.cfn-lint/', '/.rehearsal/', '__pycache__/', '.jsii.tabl.json', '/rosetta-cache.json'],
});

// The probe handler is bundled with esbuild at build time into assets/writable-probe/db-probe.lambda/, which ships in
// every package, so no Docker bundling happens when users synthesize. pg-native is pg's optional native binding, never
// loaded. Its construct is internal: `WritableProbe.function` is typed as `lambda.Function`.
new awscdk.LambdaFunction(project, {
  entrypoint: 'src/writable-probe/db-probe.lambda.ts',
  constructFile: 'src/private/db-probe-function.ts',
  constructName: 'DbProbeFunction',
  cdkDeps: project.cdkDeps,
  runtime: awscdk.LambdaRuntime.NODEJS_24_X,
  bundlingOptions: { externals: ['@aws-sdk/*', 'pg-native'], sourcemap: false },
});

// The switchover runbook's SQL agent (src/switchover-runbook/sql-agent.lambda.ts), bundled the way the probe is.
new awscdk.LambdaFunction(project, {
  entrypoint: 'src/switchover-runbook/sql-agent.lambda.ts',
  constructFile: 'src/private/sql-agent-function.ts',
  constructName: 'SqlAgentFunction',
  cdkDeps: project.cdkDeps,
  runtime: awscdk.LambdaRuntime.NODEJS_24_X,
  bundlingOptions: { externals: ['@aws-sdk/*', 'pg-native'], sourcemap: false },
});

// THIRD-PARTY-NOTICES lists the npm packages bundled into assets/ (pg and its dependencies) with their licenses. It is
// regenerated after every bundle, so the release build's clean-tree check fails when the committed file is stale.
project.tasks.tryFind('bundle')!.exec('node scripts/third-party-notices.js');

// cfn-lint over every template the unit tests recorded (see test/util.ts: `record`).
const cfnLint = project.addTask('test:cfn-lint', {
  description: 'Run cfn-lint on every CloudFormation template the tests synthesized',
  exec: 'bash scripts/cfn-lint.sh',
});
project.testTask.prependExec('rm -rf .cfn-lint/templates');
project.testTask.spawn(cfnLint);

// Integration cases test/integ.*.ts are compared with their committed snapshots by test/integ-snapshots.test.ts;
// this task rewrites the snapshots after an intended change.
project.addTask('integ:update', {
  description: 'Rewrite the committed snapshots of the test/integ.*.ts cases',
  exec: 'jest --ci=false --coverage=false test/integ-snapshots.test.ts',
  env: { INTEG_UPDATE: '1' },
});

// No task rewrites package-lock.json with a pinned npm: npm 11.13 wrote entries without a version that `npm ci` then
// rejects. scripts/check-lockfile.js guards the lockfile in CI; CONTRIBUTING.md says how to repair one.

// README examples must compile under jsii-rosetta in strict mode.
const libTsconfig = project.tryFindObjectFile('tsconfig.json');
libTsconfig?.addOverride('compilerOptions.inlineSourceMap', false);
libTsconfig?.addOverride('compilerOptions.inlineSources', false);
// API.md is the reference on the repository page; npm shows the README.
project.npmignore?.exclude('/API.md');

// Benchmarks, outside the test suite: synth time and memory of the reference app against a hand-written L2/L1
// equivalent, scaling with database pairs, package and probe bundle sizes. Prints JSON (see docs/benchmarks.md).
const bench = project.addTask('bench', {
  description: 'Benchmarks: reference app vs hand-written aws-cdk-lib app, 1/10/50 database pairs, package and bundle sizes (JSON)',
});
bench.spawn(project.compileTask);
bench.exec('bash scripts/link-self.sh');
bench.exec('ts-node --project tsconfig.dev.json scripts/bench/bench.ts');

const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README example with jsii-rosetta (strict)',
  exec: 'jsii-rosetta extract --strict --compile --fail',
});
// Before docgen: the translations rosetta writes to .jsii.tabl.json spare jsii-docgen translating every example again.
project.postCompileTask.prependSpawn(rosetta);

// The API reference per language, next to API.md (TypeScript): projen's docgen writes one language only.
const API_DOCS = { python: 'API.python.md', java: 'API.java.md' };
const docgen = project.tasks.tryFind('docgen')!;
docgen.description = `Generate API.md, ${Object.values(API_DOCS).join(' and ')} from the .jsii manifest`;
for (const [language, file] of Object.entries(API_DOCS)) {
  docgen.exec(`jsii-docgen --language ${language} --output ${file}`);
  project.annotateGenerated(`/${file}`);
  project.npmignore?.exclude(`/${file}`);
}

project.deps.addDependency(`aws-cdk-lib@${CDK_TESTED}`, DependencyType.BUILD);

// The Go module requires aws-cdk-go at the floor, not at the aws-cdk-lib jsii-pacmak generated against, and Go comes
// from scripts/go-toolchain.sh when the machine's is older than the module's `go` directive (scripts/package-go.sh).
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset('bash scripts/package-go.sh');

// PyPI trove classifiers beyond those jsii-pacmak writes (it derives `Development Status :: 4 - Beta` from the
// experimental stability, `License :: OSI Approved` and `Typing :: Typed`).
project.package.file.addOverride('jsii.targets.python.classifiers', [
  'Framework :: AWS CDK',
  'Framework :: AWS CDK :: 2',
  'License :: OSI Approved :: Apache Software License',
]);

// The Lambda handlers ship bundled in assets/ (the `bundle` task); nothing in lib/ loads their compiled modules, whose
// declarations import dev dependencies (the AWS SDK clients) that a consumer type-checking with `skipLibCheck: false`
// lacks. test/packaging/declarations.test.ts checks what the shipped declarations import.
project.addPackageIgnore('/lib/**/*.lambda.js');
project.addPackageIgnore('/lib/**/*.lambda.d.ts');
// jsii writes lib/ without removing what an earlier build left there (a renamed or deleted module), and every package
// is packed from lib/: the compile starts from an empty lib/.
project.addTask('test:coverage', {
  description: 'Runs the unit tests with V8 coverage (coverage/); the test task runs them without it',
  exec: 'jest --ci --coverage',
  receiveArgs: true,
});
project.compileTask.prependExec('node -e "require(\'fs\').rmSync(\'lib\', { recursive: true, force: true })"');

for (const pattern of ['/.tools/', '/examples/', '/scripts/', '/.ci/', '/docs/', '/rosetta/', '/.cfn-lint/', '/demo.out/', '/cdk.out/', '/tsconfig.dev.json', '/CONTRIBUTING.md', '/.multilang/', '/.rehearsal/']) {
  project.addPackageIgnore(pattern);
}

project.synth();
