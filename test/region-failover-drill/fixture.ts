import { Template } from 'aws-cdk-lib/assertions';
import { RegionFailoverDrill, RegionFailoverDrillProps } from '../../src';
import { failoverApp } from '../util';

/** `failoverApp` plus the RegionFailoverDrill `Drill` next to the DR replica. */
export function drillApp(props: Partial<RegionFailoverDrillProps> = {}) {
  const parts = failoverApp();
  const drill = new RegionFailoverDrill(parts.drStack, 'Drill', {
    replica: parts.replica,
    vpc: parts.drNet.vpc,
    topic: parts.drAlarms.topic,
    topicKey: parts.drAlarms.topicKey,
    ...props,
  });
  return { ...parts, drill };
}

/** The drill's definition, parsed, with its substitution placeholders left in. */
export function drillDefinition(props: Partial<RegionFailoverDrillProps> = {}): {
  text: string; definition: any; substitutions: Record<string, unknown>;
} {
  const { drStack } = drillApp(props);
  const machines = Template.fromStack(drStack).findResources('AWS::StepFunctions::StateMachine');
  const machine: any = Object.entries(machines).find(([id]) => id.startsWith('Drill'))![1];
  const text = machine.Properties.DefinitionString;
  return { text, definition: JSON.parse(text), substitutions: machine.Properties.DefinitionSubstitutions };
}
