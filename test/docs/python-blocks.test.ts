import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The Python examples of README.md and docs/*.md parse as Python 3, and every name they import from
 * cdk_resilient_postgres is exported by the library (jsii keeps class, struct and enum names in Python). The complete
 * Python apps (examples/python) are synthesized against the built wheel by scripts/multilang.sh.
 */

const root = path.join(__dirname, '..', '..');

interface PythonBlock {
  readonly page: string;
  readonly line: number;
  readonly code: string;
}

function pythonBlocks(page: string, text: string): PythonBlock[] {
  const blocks: PythonBlock[] = [];
  const pattern = /^```python\n([\s\S]*?)^```$/gm;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    blocks.push({ page, line: text.slice(0, match.index).split('\n').length + 1, code: match[1] });
  }
  return blocks;
}

/** Python's own parser on each block: `<page>:<line>: <error>` for each block that does not parse. */
function syntaxErrors(blocks: PythonBlock[]): string[] {
  const script = [
    'import ast, json, sys',
    'for b in json.load(sys.stdin):',
    '    try:',
    '        ast.parse(b["code"])',
    '    except SyntaxError as e:',
    '        print(f"{b[\'page\']}:{b[\'line\'] + (e.lineno or 1) - 1}: {e.msg}")',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(blocks), encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '');
}

/** The names a block imports from cdk_resilient_postgres, in one-line or parenthesized imports. */
function libraryImports(code: string): string[] {
  const names: string[] = [];
  const pattern = /^from cdk_resilient_postgres import (\(([^)]*)\)|.*)$/gm;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    names.push(...(match[2] ?? match[1]).split(',').map((n) => n.trim()).filter((n) => n !== ''));
  }
  return names;
}

let exported: Set<string> | undefined;

/** Every name src/index.ts exports, types (structs) included. */
function exportedNames(): Set<string> {
  if (exported) {
    return exported;
  }
  const index = path.join(root, 'src', 'index.ts');
  const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  exported = new Set(checker.getExportsOfModule(moduleSymbol).map((s) => s.getName()));
  return exported;
}

const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].sort();
const blocks = pages.flatMap((page) => pythonBlocks(page, fs.readFileSync(path.join(root, page), 'utf8')));

test('the pages have Python examples, docs/python.md among them', () => {
  expect(blocks.filter((b) => b.page === 'docs/python.md').length).toBeGreaterThan(3);
});

test('every Python example parses', () => {
  expect(syntaxErrors(blocks)).toEqual([]);
});

test('a Python example with a syntax error is reported with its page and line', () => {
  expect(syntaxErrors([{ page: 'bad.md', line: 10, code: 'import aws_cdk as cdk\nMultiAzPostgres(self, "Db",\n' }]))
    .toEqual([expect.stringMatching(/^bad\.md:1[01]: /)]);
});

test('every name imported from cdk_resilient_postgres is exported by the library', () => {
  const names = exportedNames();
  expect(names.has('MultiRegionPostgres') && names.has('ResilienceTargets')).toBe(true);
  const missing = blocks.flatMap((b) => libraryImports(b.code).filter((n) => !names.has(n)).map((n) => `${b.page}:${b.line}: ${n}`));
  expect(missing).toEqual([]);
  expect(blocks.flatMap((b) => libraryImports(b.code))).toEqual(expect.arrayContaining(['MultiRegionPostgres', 'FailoverTarget', 'Warnings']));
});

test('an unknown import is found, in both import forms', () => {
  const imported = libraryImports('from cdk_resilient_postgres import NoSuchConstruct, Warnings\n');
  expect(imported).toEqual(['NoSuchConstruct', 'Warnings']);
  expect(imported.filter((n) => !exportedNames().has(n))).toEqual(['NoSuchConstruct']);
  expect(libraryImports('from cdk_resilient_postgres import (\n    A,\n    B,\n)\n')).toEqual(['A', 'B']);
});
