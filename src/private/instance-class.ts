import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Compares DB instance classes by size, to warn when a DR replica is smaller than its source.
 *
 * Within a generation, each size step doubles vCPUs and memory (large = 2 vCPU, xlarge = 4, 2xlarge = 8 ...), and the
 * families order by memory per vCPU: x (16 GiB/vCPU and more) > r (8) > m (4) > c (2) > t (burstable).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
 */

/** The instance families aws-cdk-lib knows, from its `ec2.InstanceClass` enum (its values are the family names). */
const KNOWN_FAMILIES: ReadonlySet<string> = new Set(Object.values(ec2.InstanceClass).map(String));

const FAMILY_MEMORY_RANK: Record<string, number> = { x: 4, z: 4, r: 3, m: 2, c: 1, t: 0 };

const NAMED_SIZES: Record<string, number> = { nano: -4, micro: -3, small: -2, medium: -1, large: 0, xlarge: 1 };

/** Size rank: large = 0, xlarge = 1, 2xlarge = 2, 4xlarge = 3 ... (log2 of the multiplier plus one); metal is largest. */
function sizeRank(size: string): number | undefined {
  if (size in NAMED_SIZES) {
    return NAMED_SIZES[size];
  }
  if (size.startsWith('metal')) {
    return 100;
  }
  const m = /^(\d+)xlarge$/.exec(size);
  return m ? 1 + Math.log2(Number(m[1])) : undefined;
}

/** `db.r7g.2xlarge` → { family: 'r', size: 2 }; undefined if the name is not understood. */
function parse(instanceClass: string): { family: number; size: number } | undefined {
  const [familyName, size] = instanceClass.replace(/^db\./, '').split('.');
  const family = FAMILY_MEMORY_RANK[familyName?.charAt(0) ?? ''];
  const rank = size === undefined ? undefined : sizeRank(size);
  return family === undefined || rank === undefined ? undefined : { family, size: rank };
}

/**
 * Whether `candidate` is, or may be, smaller than `reference`: fewer size steps, or a family with less memory per
 * vCPU. Classes it cannot parse count as smaller, so the warning errs on the side of being shown.
 */
export function isSmallerInstanceClass(candidate: string, reference: string): boolean {
  if (candidate === reference) {
    return false;
  }
  const a = parse(candidate);
  const b = parse(reference);
  if (!a || !b) {
    return true;
  }
  return a.size < b.size || a.family < b.family;
}

/** GiB of memory per vCPU by family letter, for the standard (non-burstable) classes RDS for PostgreSQL offers. */
const MEMORY_PER_VCPU_GIB: Record<string, number> = { m: 4, r: 8, x: 16, z: 8 };

/**
 * Memory-optimized families whose ratio differs from their letter's: the x2ie* classes ("extended memory", as
 * aws-cdk-lib's `ec2.InstanceClass.MEMORY_INTENSIVE_2_XT_INTEL` says) have 32 GiB per vCPU (db.x2iedn.xlarge:
 * 4 vCPUs, 128 GiB). The suffix letters keep their family's ratio: db.r5b.large has 2 vCPUs and 16 GiB like db.r5.large.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
 */
const EXTENDED_MEMORY_PER_VCPU_GIB = 32;

/** The first-generation memory-intensive families: db.x1.16xlarge has 64 vCPUs and 976 GiB, db.x1e.xlarge 4 and 122. */
const X1_MEMORY_PER_VCPU_GIB: Record<string, number> = { x1: 15.25, x1e: 30.5 };

/** vCPUs of a size: large = 2, xlarge = 4, Nxlarge = 4N. */
function vcpus(size: string): number | undefined {
  if (size === 'large') {
    return 2;
  }
  if (size === 'xlarge') {
    return 4;
  }
  const m = /^(\d+)xlarge$/.exec(size);
  return m ? 4 * Number(m[1]) : undefined;
}

/** Burstable classes (t3, t4g) by size, GiB. */
const BURSTABLE_MEMORY_GIB: Record<string, number> = { 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };

/**
 * The nominal memory of a DB instance class in GiB, or undefined for classes it does not know (metal, the x1e/x2iedn
 * families with other ratios, unknown names).
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html
 */
export function instanceClassMemoryGiB(instanceClass: string): number | undefined {
  const [familyName, size] = instanceClass.replace(/^db\./, '').split('.');
  if (familyName === undefined || size === undefined) {
    return undefined;
  }
  if (/^t\d/.test(familyName)) {
    return BURSTABLE_MEMORY_GIB[size];
  }
  // Only families aws-cdk-lib knows (ec2.InstanceClass); the suffixes a (AMD), b (EBS-optimized), d (local NVMe),
  // e (extended memory), g (Graviton), i (Intel), n (network), z (high frequency) keep the letter's memory per vCPU,
  // except the extended-memory x2ie* classes and the x1 families, which have ratios of their own.
  if (!KNOWN_FAMILIES.has(familyName) || !/^[mrxz]\d+[abdegimnz]*$/.test(familyName)) {
    return undefined;
  }
  const perVcpu = X1_MEMORY_PER_VCPU_GIB[familyName]
    ?? (familyName.startsWith('x2ie') ? EXTENDED_MEMORY_PER_VCPU_GIB : MEMORY_PER_VCPU_GIB[familyName.charAt(0)]);
  const n = vcpus(size);
  return perVcpu === undefined || n === undefined ? undefined : perVcpu * n;
}

/**
 * RDS for PostgreSQL's default `max_connections`: `LEAST({DBInstanceClassMemory/9531392}, 5000)`. The nominal memory
 * is used for DBInstanceClassMemory, which is somewhat larger than the memory RDS leaves to the database, so the figure
 * can be a few percent above the instance's real value; `DbAlarmSet` takes `maxConnections` for an exact figure.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
 */
export function defaultMaxConnections(instanceClass: string): number | undefined {
  const gib = instanceClassMemoryGiB(instanceClass);
  return gib === undefined ? undefined : Math.min(Math.floor((gib * 1024 ** 3) / 9531392), 5000);
}
