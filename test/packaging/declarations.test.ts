/**
 * The type declarations the npm package ships (and with it the jsii tarball inside the Python and Java packages) name
 * only packages a consumer has: the dependencies, peer dependencies and bundled dependencies of package.json, and
 * Node.js built-ins. A declaration that imports a dev dependency (the AWS SDK clients, pg) breaks a consumer's
 * type-check when it runs with `skipLibCheck: false`.
 *
 * The declarations are emitted afresh from src/ with the library's tsconfig.json into a scratch directory, next to the
 * repository's package.json and .npmignore, and `npm pack --dry-run --json` says which of them would ship: the check
 * needs no build, and no file left in lib/ by an earlier build counts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** The package a module specifier names (`@scope/name` or `name`), or undefined for a relative path. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Whether a module specifier is a Node.js built-in (`fs`, `fs/promises`, `node:test`). */
export function isBuiltin(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '');
  return specifier.startsWith('node:') || builtinModules.includes(name) || builtinModules.includes(name.split('/')[0]);
}

/**
 * Every module a declaration file refers to: import and export declarations, `import x = require()`, `import()` types
 * and `/// <reference types>` directives (whose names are prefixed `types:`).
 */
export function referencedModules(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = source.typeReferenceDirectives.map((d) => `types:${d.fileName}`);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)
      && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The modules of `text` that a consumer of a package with these dependencies may not have. */
export function undeclaredModules(fileName: string, text: string, declared: ReadonlySet<string>): string[] {
  return referencedModules(fileName, text).filter((m) => {
    if (m.startsWith('types:')) {
      const name = m.slice('types:'.length);
      // `/// <reference types="node" />` names Node's own API.
      return name !== 'node' && !declared.has(name) && !declared.has(`@types/${name}`);
    }
    const pkg = packageOf(m);
    return pkg !== undefined && !isBuiltin(m) && !declared.has(pkg);
  });
}

/** Emits the declarations of src/ into `<dir>/lib` with the compiler options of tsconfig.json. */
function emitDeclarations(dir: string): void {
  const configFile = path.join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configFile);
  const program = ts.createProgram(parsed.fileNames, {
    ...parsed.options,
    outDir: path.join(dir, 'lib'),
    declaration: true,
    emitDeclarationOnly: true,
    noEmitOnError: false,
  });
  const result = program.emit();
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})));
}

interface Shipped {
  /** package.json's dependencies, peer dependencies and bundled dependencies. */
  readonly declared: Set<string>;
  /** The declaration files that would ship, with their text. */
  readonly declarations: Map<string, string>;
}

function shippedDeclarations(): Shipped {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crp-pack-'));
  try {
    emitDeclarations(dir);
    for (const file of ['package.json', '.npmignore']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: dir,
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_loglevel: 'silent' },
    }));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
    const bundled: string[] = pkg.bundledDependencies ?? pkg.bundleDependencies ?? [];
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...bundled]);
    const declarations = new Map<string, string>();
    for (const { path: file } of packed[0].files as Array<{ path: string }>) {
      if (file.startsWith('lib/') && file.endsWith('.d.ts')) declarations.set(file, fs.readFileSync(path.join(dir, file), 'utf-8'));
    }
    return { declared, declarations };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the shipped type declarations', () => {
  let shipped: Shipped;
  beforeAll(() => {
    shipped = shippedDeclarations();
  }, 300_000);

  test('name no package a consumer lacks: only dependencies, peer dependencies, bundled dependencies and Node built-ins', () => {
    // The public API ships: the check looks at the real package, not an empty one.
    expect(shipped.declarations.has('lib/index.d.ts')).toBe(true);
    const offending = [...shipped.declarations].flatMap(([file, text]) => undeclaredModules(file, text, shipped.declared).map((m) => `${file}: ${m}`));
    expect(offending).toEqual([]);
  });

  test('leave out the Lambda handlers, which ship bundled in assets/', () => {
    expect([...shipped.declarations.keys()].filter((f) => f.endsWith('.lambda.d.ts'))).toEqual([]);
  });
});

test('the compile starts from an empty lib/, so that no module of an earlier build ships', () => {
  // jsii writes lib/ without removing what a renamed or deleted module left there; every package is packed from lib/.
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
  const steps: Array<{ exec?: string }> = tasks.compile.steps;
  const jsii = steps.findIndex((s) => s.exec?.startsWith('jsii ') ?? false);
  const clean = steps.findIndex((s) => /rmSync\('lib'/.test(s.exec ?? ''));
  expect(jsii).toBeGreaterThan(-1);
  expect(clean).toBeGreaterThan(-1);
  expect(clean).toBeLessThan(jsii);
});

describe('the import check', () => {
  const declared = new Set(['aws-cdk-lib', 'constructs']);

  test('rejects a dev dependency in any import form', () => {
    const text = [
      '/// <reference types="pg" />',
      "import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';",
      "export { Client } from 'pg';",
      "import jsonata = require('jsonata');",
      "export declare const x: import('@aws-sdk/client-sns/dist-types/index').SNSClient;",
    ].join('\n');
    expect(undeclaredModules('x.d.ts', text, declared)).toEqual(['types:pg', '@aws-sdk/client-cloudwatch', 'pg', 'jsonata', '@aws-sdk/client-sns/dist-types/index']);
  });

  test('accepts peer dependencies with subpaths, Node built-ins and relative imports', () => {
    const text = [
      '/// <reference types="node" />',
      "import * as rds from 'aws-cdk-lib/aws-rds';",
      "import { Construct } from 'constructs';",
      "import { readFileSync } from 'fs';",
      "import type { TestContext } from 'node:test';",
      "import { Budget } from '../private/budget';",
      "export declare const y: import('./x').Y;",
    ].join('\n');
    expect(undeclaredModules('x.d.ts', text, declared)).toEqual([]);
  });
});
