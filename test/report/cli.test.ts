import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { synthUserApp, tempDir } from './fixtures';

const root = path.join(__dirname, '..', '..');

/** Runs the command from its source, as `npx cdk-resilient-postgres …` runs lib/report/cli.js. */
function run(args: string[], cwd: string) {
  return spawnSync(process.execPath, ['-r', require.resolve('ts-node/register'), path.join(root, 'src', 'report', 'cli.ts'), ...args], {
    cwd, encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
  });
}

let dir: string;
beforeAll(() => {
  dir = tempDir('report-cli-');
  synthUserApp(path.join(dir, 'cdk.out'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('`report cdk.out --out --svg --mermaid` prints the report and writes the three files', () => {
  const result = run(['report', 'cdk.out', '--out', 'report.md', '--svg', 'architecture.svg', '--mermaid', 'architecture.mmd'], dir);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('## Who gets paged');
  expect(result.stdout).toContain('## Pre-deploy checklist');
  expect(result.stdout).toContain('rendered in `architecture.svg`');
  expect(fs.readFileSync(path.join(dir, 'report.md'), 'utf-8')).toBe(result.stdout);
  expect(fs.readFileSync(path.join(dir, 'architecture.svg'), 'utf-8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(fs.readFileSync(path.join(dir, 'architecture.mmd'), 'utf-8')).toMatch(/^flowchart LR\n/);
});

test('reads cdk.out by default', () => {
  const result = run(['report'], dir);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('## Stack Prod-Ops (eu-west-1, account 123456789012)');
});

test('a directory that is not a cloud assembly exits 1 with the reason; a bad command line exits 2 with the usage', () => {
  const missing = run(['report', 'nowhere'], dir);
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/nowhere is not a cloud assembly/);
  const bad = run(['report', 'cdk.out', '--svg'], dir);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--svg needs a file name\nusage: cdk-resilient-postgres report/);
  expect(run(['summary'], dir).status).toBe(2);
});

test('the package declares the command, and its source starts with a shebang that tsc keeps', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
  expect(pkg.bin).toEqual({ 'cdk-resilient-postgres': 'lib/report/cli.js' });
  expect(fs.readFileSync(path.join(root, 'src', 'report', 'cli.ts'), 'utf-8').split('\n')[0]).toBe('#!/usr/bin/env node');
  // The report is not part of the jsii API.
  expect(fs.readFileSync(path.join(root, 'src', 'index.ts'), 'utf-8')).not.toMatch(/report/);
});
