#!/usr/bin/env node
/**
 * `cdk-resilient-postgres report <cloud assembly dir> [--out report.md] [--svg architecture.svg] [--mermaid architecture.mmd]`:
 * prints the report of a synthesized app (`cdk synth` writes the assembly to cdk.out) and writes its files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readAssembly } from './assembly';
import { buildReport } from './report';

const USAGE = 'usage: cdk-resilient-postgres report <cloud assembly dir, e.g. cdk.out> [--out report.md] [--svg architecture.svg] [--mermaid architecture.mmd]';

/** Runs the command; returns the exit code. */
export function main(argv: string[], write: (s: string) => void = (s) => process.stdout.write(s)): number {
  const [command, ...rest] = argv;
  if (command !== 'report') {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  const files: Record<string, string | undefined> = {};
  let dir: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--out' || arg === '--svg' || arg === '--mermaid') {
      const value = rest[++i];
      if (value === undefined) {
        process.stderr.write(`${arg} needs a file name\n${USAGE}\n`);
        return 2;
      }
      files[arg.slice(2)] = value;
    } else if (dir === undefined && !arg.startsWith('--')) {
      dir = arg;
    } else {
      process.stderr.write(`unexpected argument ${arg}\n${USAGE}\n`);
      return 2;
    }
  }
  dir = dir ?? 'cdk.out';
  let stacks;
  try {
    stacks = readAssembly(dir);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  const report = buildReport(stacks, {
    title: `cdk-resilient-postgres report: ${path.resolve(dir)}`,
    intro: [`${stacks.length} stacks read from the cloud assembly \`${dir}\`.`],
    mermaidFile: files.mermaid,
    svgFile: files.svg,
  });
  if (files.out) fs.writeFileSync(files.out, report.markdown);
  if (files.svg) fs.writeFileSync(files.svg, report.svg);
  if (files.mermaid) fs.writeFileSync(files.mermaid, report.mermaid);
  write(report.markdown);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
