/**
 * Every warning a construct gives is published through `Warnings`, the one place Python, Java and .NET users can read
 * the ids from to acknowledge them. The source of src/ is searched for `addWarningV2(` calls; each must take its id
 * from a member of `Warnings`, so a new warning cannot be added without being published.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Warnings } from '../../src';

const SRC = path.join(__dirname, '..', '..', 'src');

/** The published members of `Warnings`, by name. */
const PUBLISHED: Record<string, string> = Object.fromEntries(Object.getOwnPropertyNames(Warnings)
  .filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name))
  .map((name) => [name, (Warnings as unknown as Record<string, string>)[name]]));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : (entry.name.endsWith('.ts') ? [file] : []);
  });
}

/** The first argument of every `addWarningV2(` call in a source text, as written. */
function warningIdArguments(source: string): string[] {
  return [...source.matchAll(/\baddWarningV2\(\s*([^,)]*)/g)].map((m) => m[1].trim());
}

/** The `addWarningV2` id arguments of a source text that are not a member of `Warnings`. */
function unpublished(source: string): string[] {
  return warningIdArguments(source).filter((arg) => {
    const member = /^Warnings\.([A-Z][A-Z0-9_]*)$/.exec(arg);
    return member === null || !(member[1] in PUBLISHED);
  });
}

const sources = Object.fromEntries(sourceFiles(SRC).map((file) => [path.relative(SRC, file), fs.readFileSync(file, 'utf-8')]));

test('the ids are the published strings', () => {
  expect(PUBLISHED).toEqual({
    DATABASE_DESTROYED_WITH_STACK: 'cdk-resilient-postgres:databaseDestroyedWithStack',
    KEY_DESTROYED_WITH_STACK: 'cdk-resilient-postgres:keyDestroyedWithStack',
    PRIMARY_NOT_FENCED: 'cdk-resilient-postgres:primaryNotFenced',
    SECRET_REPLICA_AWS_MANAGED_KEY: 'cdk-resilient-postgres:secretReplicaAwsManagedKey',
    OBJECTIVE_HEADROOM: 'cdk-resilient-postgres:objectiveHeadroom',
    MEASURED_OBJECTIVE_MISSED: 'cdk-resilient-postgres:measuredObjectiveMissed',
    REPLICA_SMALLER_THAN_SOURCE: 'cdk-resilient-postgres:replicaSmallerThanSource',
    DEPLOY_PARAMETER_NOT_LOOKED_UP: 'cdk-resilient-postgres:deployParameterNotLookedUp',
    TOPIC_PERMISSIONS_NOT_ADDED: 'cdk-resilient-postgres:topicPermissionsNotAdded',
    TOPIC_WITHOUT_SUBSCRIBER: 'cdk-resilient-postgres:topicWithoutSubscriber',
    SECRET_REPLICATION_UNKNOWN: 'cdk-resilient-postgres:secretReplicationUnknown',
  });
});

test('every warning given in src/ takes its id from Warnings', () => {
  const calls = Object.values(sources).flatMap(warningIdArguments);
  expect(calls.length).toBeGreaterThan(0);
  const offenders = Object.entries(sources).flatMap(([file, text]) => unpublished(text).map((arg) => `${file}: ${arg}`));
  expect(offenders).toEqual([]);
});

test('every member of Warnings is given somewhere in src/', () => {
  const used = new Set(Object.values(sources).flatMap(warningIdArguments));
  expect(Object.keys(PUBLISHED).filter((name) => !used.has(`Warnings.${name}`))).toEqual([]);
});

test('no construct gives a warning that cannot be acknowledged (addWarning without an id)', () => {
  expect(Object.entries(sources).filter(([, text]) => /\baddWarning\(/.test(text)).map(([file]) => file)).toEqual([]);
});

describe('the check', () => {
  test('rejects an id written as a string, a constant of its own, or an unknown member', () => {
    expect(unpublished([
      "Annotations.of(this).addWarningV2('cdk-resilient-postgres:somethingNew', 'message');",
      'Annotations.of(this).addWarningV2(SOMETHING_NEW_WARNING, `message`);',
      'Annotations.of(this).addWarningV2(\n  Warnings.SOMETHING_NEW,\n  \'message\');',
    ].join('\n'))).toEqual([
      "'cdk-resilient-postgres:somethingNew'",
      'SOMETHING_NEW_WARNING',
      'Warnings.SOMETHING_NEW',
    ]);
  });

  test('accepts a member of Warnings', () => {
    const source = "Annotations.of(scope).addWarningV2(Warnings.KEY_DESTROYED_WITH_STACK,\n  'message');";
    expect(warningIdArguments(source)).toEqual(['Warnings.KEY_DESTROYED_WITH_STACK']);
    expect(unpublished(source)).toEqual([]);
  });
});
