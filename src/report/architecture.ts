/**
 * The architecture drawn from the templates: the databases, backup vaults, private zones, state machines and probes
 * of each stack, and the edges the templates imply (replication, replicated backups, backup copies, DNS answers,
 * promotion, probing). Rendered as Mermaid (one subgraph per stack) and as SVG (one box per Region, see svg.ts).
 */
import { StackTemplate } from './template';

/** A box of the diagram. */
export interface ArchNode {
  readonly id: string;
  /** The stack that declares it; undefined for a node the edges imply (replicated backups). */
  readonly stack?: string;
  readonly region: string;
  /** The label, one entry per line. */
  readonly lines: string[];
  /** The Mermaid declaration after the ID, e.g. `[("label")]`. */
  readonly mermaidShape: string;
}

/** A line of the diagram. */
export interface ArchEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** Asynchronous relations (replication) are dotted. */
  readonly dotted: boolean;
}

/** The diagram's content. */
export interface Architecture {
  readonly stacks: Array<{ id: string; title: string; region: string }>;
  readonly nodes: ArchNode[];
  readonly edges: ArchEdge[];
}

const nodeId = (stack: string, id: string) => `${stack}_${id}`.replace(/[^A-Za-z0-9_]/g, '_');
const isProbe = (p: any) => String(p.Description).startsWith('Writable-primary probe');

/** The nodes and edges of the stacks. */
export function architecture(stacks: StackTemplate[]): Architecture {
  const nodes: ArchNode[] = [];
  const edges: ArchEdge[] = [];
  const dbNode = new Map<string, string>();
  const vaultNode = new Map<string, string>();
  const node = (stack: StackTemplate | undefined, region: string, id: string, lines: string[], open: string, close: string) => {
    nodes.push({ id, stack: stack?.stackName, region, lines, mermaidShape: `${open}"${lines.join('<br/>')}"${close}` });
  };
  for (const stack of stacks) {
    const { stackName, region, template } = stack;
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      const n = nodeId(stackName, id);
      switch (r.Type) {
        case 'AWS::RDS::DBInstance': {
          const replica = p.SourceDBInstanceIdentifier !== undefined;
          const name = String(p.DBInstanceIdentifier ?? id);
          node(stack, region, n, [name, `${replica ? 'cross-Region read replica' : (p.MultiAZ ? 'Multi-AZ primary' : 'primary')}, ${p.DBInstanceClass}`], '[(', ')]');
          dbNode.set(name, n);
          break;
        }
        case 'AWS::Backup::BackupVault': {
          const name = typeof p.BackupVaultName === 'string' ? p.BackupVaultName : id;
          node(stack, region, n, [`backup vault ${name}`, ...(p.LockConfiguration ? ['vault lock'] : [])], '[', ']');
          vaultNode.set(name, n);
          break;
        }
        case 'AWS::Route53::HostedZone':
          node(stack, region, n, [`${p.VPCs ? 'private' : 'public'} zone ${p.Name}`], '{{', '}}');
          break;
        case 'AWS::StepFunctions::StateMachine':
          node(stack, region, n, [workflowKind(p.DefinitionString), String(p.StateMachineName ?? id)], '[[', ']]');
          break;
        case 'AWS::Lambda::Function':
          if (isProbe(p)) node(stack, region, n, ['writable probe'], '([', '])');
          break;
        default:
          break;
      }
    }
  }
  for (const stack of stacks) {
    const { stackName, template } = stack;
    for (const [id, r] of Object.entries(template.Resources)) {
      const p = r.Properties ?? {};
      const n = nodeId(stackName, id);
      if (r.Type === 'AWS::RDS::DBInstance' && typeof p.SourceDBInstanceIdentifier === 'string') {
        const source = dbNode.get(p.SourceDBInstanceIdentifier.split(':').pop()!);
        if (source) edges.push({ from: source, to: n, label: 'asynchronous replication', dotted: true });
      }
      if (r.Type === 'AWS::RDS::DBInstance' && typeof p.AutomaticBackupReplicationRegion === 'string') {
        const pitr = nodeId(stackName, 'pitr');
        if (!nodes.some((x) => x.id === pitr)) node(undefined, p.AutomaticBackupReplicationRegion, pitr, ['replicated backups', '(point-in-time restore)'], '[(', ')]');
        edges.push({ from: n, to: pitr, label: `automated backups replicated to ${p.AutomaticBackupReplicationRegion}`, dotted: true });
      }
      if (r.Type === 'AWS::Backup::BackupPlan') {
        for (const copy of (p.BackupPlan?.BackupPlanRule ?? []).flatMap((rule: any) => rule.CopyActions ?? [])) {
          const vault = vaultNode.get(String(copy.DestinationBackupVaultArn).split(':').pop()!);
          const source = [...dbNode.values()].find((d) => d.startsWith(`${nodeId(stackName, '')}`));
          if (vault && source) edges.push({ from: source, to: vault, label: 'AWS Backup copies', dotted: false });
        }
      }
      if (r.Type === 'AWS::Route53::RecordSet' && Array.isArray(p.ResourceRecords) && typeof p.Name === 'string') {
        const zone = Object.entries(template.Resources).find(([, z]) => z.Type === 'AWS::Route53::HostedZone');
        const answer = JSON.stringify(p.ResourceRecords);
        const target = [...dbNode].find(([identifier]) => answer.includes(`${identifier}.`) || answer.includes(`"${Object.keys(template.Resources)
          .find((k) => template.Resources[k].Properties?.DBInstanceIdentifier === identifier)}"`));
        if (zone && target) edges.push({ from: nodeId(stackName, zone[0]), to: target[1], label: `${p.Name.split('.')[0]} ${p.Failover ?? ''}`.trim(), dotted: false });
      }
      if (r.Type === 'AWS::StepFunctions::StateMachine' && typeof p.DefinitionString === 'string') {
        let identifier: unknown;
        try {
          identifier = JSON.parse(p.DefinitionString).States?.Promote?.Arguments?.DBInstanceIdentifier;
        } catch {
          identifier = undefined;
        }
        const target = typeof identifier === 'string' ? dbNode.get(identifier) : undefined;
        if (target) edges.push({ from: n, to: target, label: 'promotes (guarded)', dotted: false });
      }
      if (r.Type === 'AWS::Lambda::Function' && isProbe(p)) {
        const target = dbNode.get(p.Environment?.Variables?.DB_INSTANCE_IDENTIFIER);
        if (target) edges.push({ from: n, to: target, label: 'SELECT pg_is_in_recovery()', dotted: false });
      }
    }
  }
  return { stacks: stacks.map((s) => ({ id: nodeId(s.stackName, 'stack'), title: `${s.stackName} (${s.region})`, region: s.region })), nodes, edges };
}

/** The Mermaid flowchart: one subgraph per stack; a node no stack declares is declared at its first edge. */
export function mermaid(arch: Architecture, stacks: StackTemplate[]): string {
  const lines = ['flowchart LR'];
  for (const [i, stack] of stacks.entries()) {
    lines.push(`  subgraph ${arch.stacks[i].id}["${arch.stacks[i].title}"]`);
    for (const n of arch.nodes.filter((x) => x.stack === stack.stackName)) lines.push(`    ${n.id}${n.mermaidShape}`);
    lines.push('  end');
  }
  const declared = new Set(arch.nodes.filter((n) => n.stack !== undefined).map((n) => n.id));
  const ref = (id: string) => {
    if (declared.has(id)) return id;
    declared.add(id);
    return `${id}${arch.nodes.find((n) => n.id === id)?.mermaidShape ?? ''}`;
  };
  for (const e of arch.edges) {
    lines.push(e.dotted ? `  ${e.from} -. "${e.label}" .-> ${ref(e.to)}` : `  ${e.from} -- "${e.label}" --> ${ref(e.to)}`);
  }
  return lines.join('\n') + '\n';
}

/** What a state machine of the library is, by the construct its definition's comment names. */
function workflowKind(definition: unknown): string {
  let comment = '';
  try {
    comment = String(JSON.parse(String(definition)).Comment ?? '');
  } catch {
    // A definition that is not literal JSON is labelled by default.
  }
  if (comment.includes('RegionFailoverDrill')) return 'Region drill';
  if (comment.includes('AzFailoverDrill')) return 'AZ drill measurement';
  if (comment.includes('SwitchoverRunbook')) return 'switchover runbook';
  return 'failover runbook';
}
