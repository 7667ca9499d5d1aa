import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The TypeScript examples of docs/*.md compile the way jsii-rosetta compiles the README's (`npx projen rosetta:extract`,
 * strict): each ```ts block takes the place of the `/// here` marker of rosetta/default.ts-fixture, and the library
 * is src/index.ts under its package name.
 */

const root = path.join(__dirname, '..', '..');
const docsDir = path.join(root, 'docs');
const fixture = fs.readFileSync(path.join(root, 'rosetta', 'default.ts-fixture'), 'utf8');

/** A ```ts (or ```typescript) block of a page, with the line its code starts on. */
interface CodeBlock {
  readonly page: string;
  readonly line: number;
  readonly code: string;
}

/** The TypeScript blocks of a Markdown text. */
function codeBlocks(page: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split('\n');
  let open: { line: number; code: string[] } | undefined;
  let fence: string | undefined;
  lines.forEach((line, i) => {
    const marker = /^(\s*)(```+)\s*(\S*)/.exec(line);
    if (fence === undefined) {
      if (marker) {
        fence = marker[2];
        open = /^(ts|typescript)$/.test(marker[3]) ? { line: i + 2, code: [] } : undefined;
      }
    } else if (marker && marker[2] === fence && marker[3] === '') {
      if (open) {
        blocks.push({ page, line: open.line, code: open.code.join('\n') });
      }
      fence = undefined;
      open = undefined;
    } else {
      open?.code.push(line);
    }
  });
  if (fence !== undefined) {
    throw new Error(`${page}: a code fence is not closed`);
  }
  return blocks;
}

/**
 * The block in the fixture, as jsii-rosetta builds it: its `import` and `declare` statements go to the top of the file,
 * the rest replaces `/// here`.
 */
function withFixture(code: string): string {
  const marker = /[/]{3}[ \t]*here[ \t]*$/im;
  if (!marker.test(fixture)) {
    throw new Error('rosetta/default.ts-fixture has no /// here marker');
  }
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let hoisted = '';
  let statements = '';
  for (const statement of source.statements) {
    const declared = ts.isVariableStatement(statement) && (statement.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement) || declared) {
      hoisted += statement.getFullText(source);
    } else {
      statements += statement.getFullText(source);
    }
  }
  // A block that does not parse keeps its text, so that the compiler reports where.
  if (source.statements.length === 0 && code.trim() !== '') {
    statements = code;
  }
  return [hoisted, fixture.replace(marker, () => statements)].join('\n');
}

/** The compiler options of tsconfig.dev.json, with the package name mapped to the sources. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.dev.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  return {
    ...parsed!.options,
    noEmit: true,
    // An example declares what it needs, as in the README; unused names are not errors there either.
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: root,
    paths: { 'cdk-resilient-postgres': ['src/index.ts'] },
    types: ['node'],
  };
}

/** Compiles the blocks as one program, one module per block; returns the diagnostics of the blocks' files. */
function compile(blocks: CodeBlock[]): string[] {
  const files = new Map(blocks.map((block, i) => [
    path.join(docsDir, `${block.page}.${i}.example.ts`),
    { block, text: withFixture(block.code) },
  ]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => {
    const file = files.get(path.resolve(name));
    return file ? ts.createSourceFile(name, file.text, version) : getSourceFile(name, version, onError, create);
  };
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists(name);
  host.readFile = (name) => files.get(path.resolve(name))?.text ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.entries()].flatMap(([name, { block }]) => {
    const source = program.getSourceFile(name)!;
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
      const at = d.start === undefined ? '' : source.text.split('\n')[source.getLineAndCharacterOfPosition(d.start).line].trim();
      return `docs/${block.page}:${block.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (at \`${at}\`)`;
    });
  });
}

const pages = fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort();
const blocks = pages.flatMap((page) => codeBlocks(page, fs.readFileSync(path.join(docsDir, page), 'utf8')));

describe('reading the blocks', () => {
  test('finds ```ts and ```typescript blocks and skips the others', () => {
    const text = ['text', '```ts', 'const a = 1;', '```', '```sh', 'echo', '```', '```typescript', 'const b = 2;', '```'].join('\n');
    expect(codeBlocks('x.md', text)).toEqual([
      { page: 'x.md', line: 3, code: 'const a = 1;' },
      { page: 'x.md', line: 9, code: 'const b = 2;' },
    ]);
  });

  test('the pages have examples', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });
});

describe('the docs examples compile', () => {
  const diagnostics = compile(blocks);

  test('with no diagnostic', () => {
    expect(diagnostics).toEqual([]);
  });

  test('a block with a type error fails', () => {
    const bad = compile([{ page: 'bad.md', line: 1, code: "new MultiAzPostgres(this, 'Db', { allocatedStorage: 'big' });" }]);
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0]).toMatch(/^docs\/bad\.md:1: /);
  });

  test('a block that names an unknown export fails', () => {
    expect(compile([{ page: 'bad.md', line: 1, code: "new NoSuchConstruct(this, 'X');" }]).length).toBeGreaterThan(0);
  });
});
