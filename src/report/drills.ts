/**
 * The report's "Drills and switchover" section: the AWS FIS experiment templates (AzFailoverDrill), and the state
 * machines that rehearse or reverse a failover (RegionFailoverDrill, SwitchoverRunbook), read from the templates only.
 */
import { Out } from './sections';
import { StackTemplate, TemplateResource, resourcesOfType } from './template';

/** The library's workflows other than the failover runbook, by the construct named in the definition's comment. */
const WORKFLOWS: Array<{ construct: string; what: string }> = [
  { construct: 'RegionFailoverDrill', what: 'Region drill on a temporary copy' },
  { construct: 'SwitchoverRunbook', what: 'planned switchover (failback)' },
  { construct: 'AzFailoverDrill', what: 'measures each AZ drill against the AZ RTO objective' },
];

/** A value of a template as text: a literal as it is, a reference or function as its logical ID or function name. */
function show(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return `(${v.Ref})`;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `(${getAtt[0]})`;
    const join = v['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(show).join(join[0] as string);
  }
  return '(deploy-time value)';
}

function fisRows(stack: StackTemplate, id: string, r: TemplateResource, out: Out): void {
  const p = r.Properties ?? {};
  const actions = Object.values(p.Actions ?? {}) as any[];
  const targets = Object.values(p.Targets ?? {}) as any[];
  const stops = (p.StopConditions ?? []) as any[];
  const alarmName = (arn: any) => {
    const local = Array.isArray(arn?.['Fn::GetAtt']) ? stack.template.Resources[arn['Fn::GetAtt'][0]]?.Properties?.AlarmName : undefined;
    return typeof local === 'string' ? local : show(arn).split(':alarm:')[1] ?? show(arn);
  };
  out(`| ${id} (stack ${stack.stackName}, ${stack.region}) | FIS experiment template | `
    + `${actions.map((a) => `\`${a.ActionId}\`${a.Parameters ? ` (${Object.entries(a.Parameters).map(([k, v]) => `${k}=${show(v)}`).join(', ')})` : ''}`).join('; ') || '-'} | `
    + `${targets.map((t) => `${t.ResourceType}: ${(t.ResourceArns ?? []).map((a: unknown) => show(a).split(':db:')[1] ?? show(a)).join(', ')}`).join('; ') || '-'} | `
    + `${stops.filter((s) => s.Source !== 'none').map((s) => `\`${alarmName(s.Value)}\``).join(', ') || 'none'} | `
    + `${p.LogConfiguration ? 'CloudWatch Logs' : 'none'} |`);
}

/** The schedule that starts a state machine: an EventBridge rule or Scheduler schedule whose target names it. */
function scheduleOf(stack: StackTemplate, machineId: string): string {
  const names = (value: unknown) => JSON.stringify(value ?? null).includes(`"${machineId}"`);
  for (const [, rule] of resourcesOfType(stack.template, 'AWS::Events::Rule')) {
    if (rule.Properties?.ScheduleExpression && names(rule.Properties?.Targets)) {
      return `schedule \`${rule.Properties.ScheduleExpression}\`${rule.Properties.State === 'DISABLED' ? ' (disabled)' : ''}`;
    }
  }
  for (const [, rule] of resourcesOfType(stack.template, 'AWS::Events::Rule')) {
    if ((rule.Properties?.EventPattern?.source ?? []).includes('aws.fis') && names(rule.Properties?.Targets)) {
      return 'started by the end of each FIS experiment of the drill';
    }
  }
  for (const [, schedule] of resourcesOfType(stack.template, 'AWS::Scheduler::Schedule')) {
    if (names(schedule.Properties?.Target)) {
      return `schedule \`${schedule.Properties.ScheduleExpression}\`${schedule.Properties.State === 'DISABLED' ? ' (disabled)' : ''}`;
    }
  }
  return 'no schedule: started by an operator';
}

/** The section: one row per drill or switchover resource, or a line saying there is none. */
export function drillsSection(stacks: StackTemplate[], out: Out): void {
  const rows: string[] = [];
  const row: Out = (s = '') => rows.push(s);
  for (const stack of stacks) {
    for (const [id, r] of resourcesOfType(stack.template, 'AWS::FIS::ExperimentTemplate')) fisRows(stack, id, r, row);
    for (const [id, r] of resourcesOfType(stack.template, 'AWS::StepFunctions::StateMachine')) {
      let asl: any;
      try {
        asl = JSON.parse(r.Properties?.DefinitionString);
      } catch {
        continue;
      }
      const workflow = WORKFLOWS.find((w) => String(asl?.Comment ?? '').includes(w.construct));
      if (!workflow) continue;
      const states = Object.values(asl.States ?? {}) as any[];
      const calls = [...new Set(states.map((s) => String(s.Resource ?? '')).filter((res) => res.includes(':::aws-sdk:'))
        .map((res) => res.split(':::aws-sdk:')[1]))];
      row(`| ${r.Properties?.StateMachineName ?? id} (stack ${stack.stackName}, ${stack.region}) | ${workflow.construct}: ${workflow.what} | `
        + `${calls.map((c) => `\`${c}\``).join(', ') || '-'} | ${states.length} states; ${scheduleOf(stack, id)} | - | `
        + `${r.Properties?.LoggingConfiguration ? `CloudWatch Logs (${r.Properties.LoggingConfiguration.Level})` : 'none'} |`);
    }
  }
  out();
  out('## Drills and switchover');
  out();
  if (rows.length === 0) {
    out('No drill or switchover resources in this app. `AzFailoverDrill` and `RegionFailoverDrill` rehearse a failover in the '
      + 'account and measure it; their figures go into `objectives.measured`.');
    return;
  }
  out('A drill runs when an operator starts it, or on the schedule shown; the AZ drill\'s measurement runs after each of '
    + 'its experiments. Measured figures '
    + 'exist only after a drill ran in the account; this report reads templates, so the "measured" columns above stay '
    + 'empty until they are passed to `objectives.measured`.');
  out();
  out('| resource | kind | actions (FIS) or AWS SDK calls (workflow) | targets or size | stop conditions | logs |');
  out('|---|---|---|---|---|---|');
  for (const r of rows) out(r);
}
