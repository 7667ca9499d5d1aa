/**
 * The benchmarks (`npx projen bench`), outside the test suite. Prints one JSON document:
 * - the reference app against the same app written with aws-cdk-lib L2/L1 constructs only (scripts/bench/handwritten.ts):
 *   median synth wall time and median peak RSS over BENCH_RUNS fresh processes (default 5), and whether the two
 *   apps have the same resource types and counts;
 * - synth time for 1, 10 and 50 database pairs (MultiRegionPostgres, each pair in its own two stacks);
 * - the npm package's unpacked size (`npm pack --dry-run`) and its runtime dependencies;
 * - the probe Lambda's bundle size.
 * Each run is a separate Node.js process (scripts/bench/run-one.ts) so that module caches and the heap start empty.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PAIR_RUNS = Number(process.env.BENCH_PAIR_RUNS ?? 3);

interface Run { synthMs: number; maxRssMiB: number; processMs: number; resources: Record<string, Record<string, number>> }

function runOne(...args: string[]): Run {
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'run-one.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') }, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024,
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { ...JSON.parse(out.trim().split('\n').pop()!), processMs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function summary(runs: Run[]) {
  return {
    runs: runs.length,
    medianSynthMs: round(median(runs.map((r) => r.synthMs))),
    medianProcessMs: round(median(runs.map((r) => r.processMs))),
    medianPeakRssMiB: round(median(runs.map((r) => r.maxRssMiB))),
    synthMs: runs.map((r) => round(r.synthMs)),
  };
}

/** Resource types and counts over all stacks. */
function totals(run: Run): Record<string, number> {
  const t: Record<string, number> = {};
  for (const counts of Object.values(run.resources)) for (const [type, n] of Object.entries(counts)) t[type] = (t[type] ?? 0) + n;
  return Object.fromEntries(Object.entries(t).sort());
}

function main(): void {
  // The first reference run also writes the runbook's definition, the hand-written app's literal state machine.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'crp-bench-def-'));
  const definition = path.join(outdir, 'definition.json');
  // Alternate the two apps so that machine noise hits both alike.
  const reference: Run[] = [];
  const handwritten: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    reference.push(i === 0 ? runOne('reference', definition) : runOne('reference'));
    handwritten.push(runOne('handwritten', definition));
  }
  const refTotals = totals(reference[0]);
  const handTotals = totals(handwritten[0]);
  const differences = [...new Set([...Object.keys(refTotals), ...Object.keys(handTotals)])]
    .filter((type) => refTotals[type] !== handTotals[type])
    .map((type) => ({ type, reference: refTotals[type] ?? 0, handwritten: handTotals[type] ?? 0 }));
  const ref = summary(reference);
  const hand = summary(handwritten);

  const pairs: Record<string, ReturnType<typeof summary> & { stacks: number; resources: number; msPerPair: number }> = {};
  for (const n of [1, 10, 50]) {
    const runs: Run[] = [];
    for (let i = 0; i < PAIR_RUNS; i++) runs.push(runOne('pairs', String(n)));
    const s = summary(runs);
    pairs[String(n)] = {
      ...s,
      stacks: Object.keys(runs[0].resources).length,
      resources: Object.values(totals(runs[0])).reduce((a, b) => a + b, 0),
      msPerPair: round(s.medianSynthMs / n),
    };
  }

  // The npm package as published: `npm pack --dry-run --json` lists the files and the unpacked size.
  const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf-8' }))[0];
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  const bundle = path.join(ROOT, 'assets', 'writable-probe', 'db-probe.lambda', 'index.js');

  const result = {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    referenceVsHandwritten: {
      reference: ref,
      handwritten: hand,
      synthTimeRatio: round(ref.medianSynthMs / hand.medianSynthMs, 3),
      peakRssRatio: round(ref.medianPeakRssMiB / hand.medianPeakRssMiB, 3),
      goal: 'synth time ratio at most 1.10',
      met: ref.medianSynthMs / hand.medianSynthMs <= 1.10,
      resources: Object.values(refTotals).reduce((a, b) => a + b, 0),
      resourceDifferences: differences,
    },
    scaling: {
      pairs,
      ratio50to1: round(pairs['50'].medianSynthMs / pairs['1'].medianSynthMs, 2),
      processRatio50to1: round(pairs['50'].medianProcessMs / pairs['1'].medianProcessMs, 2),
      perPairRatio50to1: round(pairs['50'].msPerPair / pairs['1'].msPerPair, 2),
      goal: '50 pairs within 3x of 1 pair',
    },
    npmPackage: {
      name: pack.name,
      files: pack.entryCount,
      packedBytes: pack.size,
      unpackedBytes: pack.unpackedSize,
      goal: 'under 1 MB (1,000,000 bytes) unpacked',
      met: pack.unpackedSize < 1_000_000,
      dependencies: Object.keys(pkg.dependencies ?? {}),
      bundledDependencies: pkg.bundledDependencies ?? [],
      peerDependencies: pkg.peerDependencies,
    },
    probeBundle: { file: path.relative(ROOT, bundle), bytes: fs.statSync(bundle).size },
  };
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result, undefined, 2) + '\n');
}

main();
