/**
 * What the registries' pages show comes from package.json (written by .projenrc.ts): npm's homepage and repository
 * links, PyPI's Home-page, Project-URL and classifiers (jsii-pacmak), the pom's url, scm and developer (jsii-pacmak),
 * and the npm package's files, from which the Python and Java packages embed the same tarball.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));

/** The problems of a package.json's registry metadata. */
function metadataProblems(p: any): string[] {
  const problems: string[] = [];
  const classifiers: string[] = p.jsii?.targets?.python?.classifiers ?? [];
  for (const c of ['Framework :: AWS CDK', 'Framework :: AWS CDK :: 2']) {
    if (!classifiers.includes(c)) problems.push(`PyPI classifier missing: ${c}`);
  }
  for (const [field, url] of [['homepage', p.homepage], ['repository.url', p.repository?.url]]) {
    // npm and PyPI show the address as is; `.git` or a `git+` scheme is no page address.
    if (typeof url !== 'string' || !/^https:\/\/github\.com\/[^/]+\/[^/]+$/.test(url) || url.endsWith('.git')) {
      problems.push(`${field} is not a repository page address: ${url}`);
    }
  }
  // jsii-pacmak writes the author as the pom's <developer><name>, which Maven Central requires; an organization
  // author is written as <organization> instead.
  if (typeof p.author?.name !== 'string' || p.author.name.trim() === '') problems.push('author has no name');
  if (p.author?.organization !== false) problems.push('author is an organization');
  return problems;
}

test('package.json carries the registry metadata: CDK v2 classifier, page addresses without .git, a named author', () => {
  expect(metadataProblems(pkg)).toEqual([]);
});

test('the metadata check finds a missing classifier, a .git address and an organization author without a name', () => {
  const bad = {
    ...pkg,
    homepage: `${pkg.homepage}.git`,
    repository: { type: 'git', url: `git+${pkg.repository.url}.git` },
    author: { email: 'x@example.com', organization: true },
    jsii: { ...pkg.jsii, targets: { ...pkg.jsii.targets, python: { ...pkg.jsii.targets.python, classifiers: ['Framework :: AWS CDK'] } } },
  };
  expect(metadataProblems(bad)).toEqual([
    'PyPI classifier missing: Framework :: AWS CDK :: 2',
    `homepage is not a repository page address: ${pkg.homepage}.git`,
    `repository.url is not a repository page address: git+${pkg.repository.url}.git`,
    'author has no name',
    'author is an organization',
  ]);
});

test('the npm package, which the Python and Java packages embed, ships THIRD-PARTY-NOTICES with the license and README', () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf-8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'silent' },
  }));
  const files = (packed[0].files as Array<{ path: string }>).map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['THIRD-PARTY-NOTICES', 'LICENSE', 'README.md', 'package.json']));
  // The images of the README are shown from the repository, not shipped.
  expect(files.filter((f) => f.startsWith('docs/'))).toEqual([]);
});
