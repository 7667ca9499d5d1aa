/**
 * The CloudFormation template shapes the report reads, and the helpers that follow references between resources.
 * The report reads synthesized templates only, so it works on any cloud assembly.
 */

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DeletionPolicy?: string;
}

/** A synthesized CloudFormation template. */
export interface Template {
  readonly Resources: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string; Export?: { Name?: unknown } }>;
}

/** A stack of a cloud assembly with its template. */
export interface StackTemplate {
  /** The artifact ID in the assembly manifest (unique within the assembly). */
  readonly artifactId: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The path of the stack in the construct tree, or the artifact ID. */
  readonly displayName: string;
  /** The Region, or `unknown-region` for an environment-agnostic stack. */
  readonly region: string;
  /** The account, or `unknown-account` for an environment-agnostic stack. */
  readonly account: string;
  /** The template file, relative to the assembly directory it was read from. */
  readonly templateFile: string;
  readonly template: Template;
}

/** The resources of a template of one type, with their logical IDs. */
export function resourcesOfType(template: Template, type: string): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The resource a property's `Ref` or `Fn::GetAtt` points at. */
export function referenced(template: Template, value: unknown): TemplateResource | undefined {
  const id = referencedId(template, value);
  return id ? template.Resources[id] : undefined;
}

/** The logical ID a property's `Ref` or `Fn::GetAtt` (anywhere in the value) points at. */
export function referencedId(template: Template, value: unknown): string | undefined {
  const text = JSON.stringify(value ?? '');
  return Object.keys(template.Resources).find((k) => text.includes(`"${k}"`));
}

/** The logical ID of a direct `{ Ref }` or `{ Fn::GetAtt }`, if the value is one. */
export function directReference(value: unknown): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const att = v['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
    if (typeof att === 'string') return att.split('.')[0];
  }
  return undefined;
}

/** A value in words: a literal as is, a reference as the resource it names. */
export function describeValue(template: Template, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const id = directReference(value);
  if (id !== undefined) {
    const r = template.Resources[id];
    return r ? `${id} (${r.Type})` : id;
  }
  if (value && typeof value === 'object' && 'Fn::ImportValue' in (value as object)) {
    return `import ${JSON.stringify((value as Record<string, unknown>)['Fn::ImportValue'])}`;
  }
  return JSON.stringify(value);
}
