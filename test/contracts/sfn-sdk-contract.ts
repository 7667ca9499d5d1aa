/**
 * Checks the AWS SDK integration tasks of an Amazon States Language definition against the AWS SDK for Java v2 model
 * (java-sdk-model.ts), as Step Functions names them:
 *
 * - the action of `arn:aws:states:::aws-sdk:<service>:<action>` is a method of the service's Java client;
 * - every field of `Arguments` (JSONata) or `Parameters` (JSONPath), through nested structures, lists and maps, is a
 *   member of the request model; CreateStateMachine rejects a definition with an unknown field;
 * - every path the state reads from `$states.result`, and every path read later from a variable assigned from such a
 *   path (`$replica.DbInstanceStatus` after `replica: $states.result.DbInstances[0]`), exists in the response model,
 *   field names inside filters included;
 * - every error name in the task's Retry and Catch is a Step Functions `States.*` error, or `<Prefix>.<Exception>`
 *   where the class extends the service's base exception (or is that base exception).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://states-language.net/spec.html#appendix-a
 */
import { JavaSdkModel, MemberType, ServiceModel } from './java-sdk-model';

const SDK_RESOURCE = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)(?:\.(?:waitForTaskToken|sync(?::2)?))?$/;

/**
 * The error names Step Functions defines (the Amazon States Language's predefined errors and those the Step Functions
 * guide adds).
 *
 * @see https://states-language.net/spec.html#appendix-a
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
const STATES_ERRORS = new Set([
  'States.ALL', 'States.DataLimitExceeded', 'States.ExceedToleratedFailureThreshold', 'States.HeartbeatTimeout',
  'States.Http.Socket', 'States.IntrinsicFailure', 'States.ItemReaderFailed', 'States.NoChoiceMatched',
  'States.ParameterPathFailure', 'States.Permissions', 'States.QueryEvaluationError', 'States.ResultPathMatchFailure',
  'States.ResultWriterFailed', 'States.Runtime', 'States.TaskFailed', 'States.Timeout', 'States.BranchFailed',
]);

export interface ContractReport {
  readonly tasks: number;
  readonly argumentNames: number;
  readonly resultPaths: number;
  readonly errorNames: number;
  /** What does not match the model, one line each; empty when the definitions keep the contract. */
  readonly problems: string[];
}

type State = Record<string, any>;

/** Every state of a definition, nested ones (Parallel branches, Map processors) included. */
export function allStates(definition: any): Array<[string, State]> {
  const found: Array<[string, State]> = [];
  const visit = (states: Record<string, State> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      found.push([name, state]);
      for (const branch of state.Branches ?? []) {
        visit(branch.States);
      }
      visit(state.ItemProcessor?.States ?? state.Iterator?.States);
    }
  };
  visit(definition.States);
  return found;
}

/** The services of the AWS SDK integration tasks of the definitions. */
export function sdkServicesOf(definitions: any[]): string[] {
  const services = new Set<string>();
  for (const definition of definitions) {
    for (const [, state] of allStates(definition)) {
      const m = typeof state.Resource === 'string' ? SDK_RESOURCE.exec(state.Resource) : null;
      if (state.Type === 'Task' && m) {
        services.add(m[1]);
      }
    }
  }
  return [...services].sort();
}

type Step = { field: string } | { bracket: string };

/** A value's type in a service's model. */
interface Typed {
  readonly service: ServiceModel;
  readonly type: MemberType;
}

const JSONATA = /^\{%([\s\S]*)%\}$/;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;

/** The steps of a JSONata path from `at` on: `.Name` and `[...]`, up to the first other token. */
function pathSteps(expression: string, at: number): { steps: Step[]; end: number } {
  const steps: Step[] = [];
  let i = at;
  for (;;) {
    if (expression[i] === '.') {
      IDENTIFIER.lastIndex = i + 1;
      const m = IDENTIFIER.exec(expression);
      if (!m || expression[i + 1 + m[0].length] === '(') {
        break;
      }
      steps.push({ field: m[0] });
      i += 1 + m[0].length;
    } else if (expression[i] === '[') {
      let depth = 0;
      let j = i;
      for (; j < expression.length; j++) {
        if (expression[j] === '[') depth++;
        if (expression[j] === ']' && --depth === 0) break;
      }
      steps.push({ bracket: expression.slice(i + 1, j) });
      i = j + 1;
    } else {
      break;
    }
  }
  return { steps, end: i };
}

/** The field names a filter predicate reads from the element it filters: bare names, not `$variables` or functions. */
function predicateFields(predicate: string): string[] {
  const code = predicate.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  const names: string[] = [];
  const re = /(^|[^$\w.])([A-Za-z_][A-Za-z0-9_]*)(?!\s*\()/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (!['and', 'or', 'in', 'true', 'false', 'null', 'function'].includes(m[2])) {
      names.push(m[2]);
    }
  }
  return names;
}

class Checker {
  public tasks = 0;
  public argumentNames = 0;
  public resultPaths = 0;
  public errorNames = 0;
  public readonly problems: string[] = [];

  constructor(private readonly model: JavaSdkModel) {}

  public check(machine: string, definition: any): void {
    const states = allStates(definition);
    /** Variables assigned from an SDK task's result path: their type, or null where some assignment is not such a path. */
    const variables = new Map<string, Typed | null>();
    const expressions: Array<{ where: string; text: string }> = [];

    for (const [name, state] of states) {
      const where = `${machine} ${name}`;
      const m = state.Type === 'Task' && typeof state.Resource === 'string' ? SDK_RESOURCE.exec(state.Resource) : null;
      const sdk = m ? this.task(where, state, m[1], m[2]) : undefined;
      expressions.push(...stateExpressions(state, where));
      const assignments: Array<[string, unknown]> = [
        ...Object.entries(state.Assign ?? {}),
        ...[...(state.Catch ?? []), ...(state.Choices ?? [])].flatMap((c: any) => Object.entries(c.Assign ?? {})),
      ];
      for (const [variable, value] of assignments) {
        const typed = sdk && Object.entries(state.Assign ?? {}).some(([k, v]) => k === variable && v === value)
          ? this.resultPathType(where, sdk.service, sdk.output, value) : undefined;
        const known = variables.get(variable);
        if (!typed) {
          variables.set(variable, null);
        } else if (known === undefined) {
          variables.set(variable, typed);
        } else if (known !== null && JSON.stringify(known.type) !== JSON.stringify(typed.type)) {
          variables.set(variable, null);
        }
      }
    }

    // Paths read from variables assigned from SDK results, anywhere in the definition.
    for (const { where, text } of expressions) {
      for (const [variable, typed] of variables) {
        if (!typed) {
          continue;
        }
        const re = new RegExp(`\\$${variable}(?![A-Za-z0-9_])(?!\\s*:=)`, 'g');
        for (let v = re.exec(text); v; v = re.exec(text)) {
          if (this.locallyBound(text, variable)) {
            continue;
          }
          const { steps } = pathSteps(text, v.index + v[0].length);
          if (steps.length > 0) {
            this.resultPaths++;
            this.walk(`${where} $${variable}`, typed.service, typed.type, steps);
          }
        }
      }
    }
  }

  private locallyBound(text: string, variable: string): boolean {
    return new RegExp(`\\$${variable}\\s*:=`).test(text) || new RegExp(`function\\s*\\([^)]*\\$${variable}\\b`).test(text);
  }

  /** Checks one SDK task; returns its service model and response class when the action exists. */
  private task(where: string, state: State, serviceName: string, action: string): { service: ServiceModel; output: string } | undefined {
    this.tasks++;
    const service = this.model.services[serviceName];
    if (!service) {
      this.problems.push(`${where}: no AWS SDK for Java v2 service ${serviceName} (software.amazon.awssdk.services.${serviceName})`);
      return undefined;
    }
    const operation = service.operations[action];
    if (!operation) {
      this.problems.push(`${where}: ${service.client} has no method ${action}`);
      return undefined;
    }
    const args = state.Arguments ?? state.Parameters;
    if (args !== undefined && typeof args !== 'string') {
      this.fields(`${where} Arguments`, service, { structure: operation.input }, args);
    }
    const errors = [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((r: any) => r.ErrorEquals ?? []);
    for (const error of errors) {
      this.errorNames++;
      this.error(where, service, error);
    }
    // $states.result is readable in the state's Assign and Output.
    for (const { where: w, text } of stateExpressions({ Assign: state.Assign, Output: state.Output }, where)) {
      this.resultReads(w, service, operation.output, text);
    }
    return { service, output: operation.output };
  }

  private resultReads(where: string, service: ServiceModel, output: string, text: string): void {
    const locals = new Map<string, MemberType | undefined>();
    const re = /\$states\.result(?![A-Za-z0-9_])/g;
    for (let r = re.exec(text); r; r = re.exec(text)) {
      const { steps, end } = pathSteps(text, r.index + r[0].length);
      this.resultPaths++;
      const type = this.walk(`${where} $states.result`, service, { structure: output }, steps);
      const binding = /\$([A-Za-z_][A-Za-z0-9_]*)\s*:=\s*$/.exec(text.slice(0, r.index));
      if (binding && /^\s*(;|\)|$)/.test(text.slice(end))) {
        locals.set(binding[1], type);
      }
    }
    for (const [local, type] of locals) {
      if (!type) {
        continue;
      }
      const use = new RegExp(`\\$${local}(?![A-Za-z0-9_])(?!\\s*:=)`, 'g');
      for (let u = use.exec(text); u; u = use.exec(text)) {
        const { steps } = pathSteps(text, u.index + u[0].length);
        if (steps.length > 0) {
          this.resultPaths++;
          this.walk(`${where} $${local}`, service, type, steps);
        }
      }
    }
  }

  /** The type a result-path assignment gives its variable, when the whole value is `$states.result` and a path. */
  private resultPathType(where: string, service: ServiceModel, output: string, value: unknown): Typed | undefined {
    const m = typeof value === 'string' ? JSONATA.exec(value) : null;
    const text = m?.[1].trim();
    if (!text?.startsWith('$states.result')) {
      return undefined;
    }
    const { steps, end } = pathSteps(text, '$states.result'.length);
    if (end !== text.length) {
      return undefined;
    }
    // resultReads reports a wrong path; here only the resulting type is wanted.
    const type = this.walk(where, service, { structure: output }, steps, false);
    return type ? { service, type } : undefined;
  }

  /** Walks a path through the model; reports the first step that does not exist. */
  private walk(where: string, service: ServiceModel, start: MemberType, steps: Step[], report = true): MemberType | undefined {
    let type: MemberType = start;
    const trail: string[] = [];
    for (const step of steps) {
      if ('field' in step) {
        while ('list' in type) {
          type = type.list;
        }
        if ('map' in type) {
          type = type.map;
        } else if ('structure' in type) {
          const shape = service.shapes[type.structure];
          const member = shape?.members[step.field];
          if (!member) {
            if (report) {
              this.problems.push(`${where}${trail.join('')}: ${type.structure} has no member ${step.field}`
                + ` (members: ${Object.keys(shape?.members ?? {}).join(', ')})`);
            }
            return undefined;
          }
          type = member.type;
        } else {
          if (report) {
            this.problems.push(`${where}${trail.join('')}: ${JSON.stringify(type)} has no member ${step.field}`);
          }
          return undefined;
        }
        trail.push(`.${step.field}`);
      } else {
        const content = step.bracket.trim();
        if (/^-?\d+$/.test(content)) {
          if ('list' in type) {
            type = type.list;
          }
        } else {
          const element = 'list' in type ? type.list : type;
          if ('structure' in element) {
            const shape = service.shapes[element.structure];
            for (const field of predicateFields(content)) {
              if (report && !shape?.members[field]) {
                this.problems.push(`${where}${trail.join('')}[${content}]: ${element.structure} has no member ${field}`);
              }
            }
          }
        }
        trail.push(`[${content}]`);
      }
    }
    return type;
  }

  private fields(where: string, service: ServiceModel, type: MemberType, value: unknown): void {
    if (typeof value === 'string' && JSONATA.test(value)) {
      return;
    }
    if ('list' in type) {
      if (Array.isArray(value)) {
        value.forEach((v, i) => this.fields(`${where}[${i}]`, service, type.list, v));
      }
      return;
    }
    if ('map' in type) {
      if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          this.fields(`${where}.${k}`, service, type.map, v);
        }
      }
      return;
    }
    if (!('structure' in type) || !value || typeof value !== 'object' || Array.isArray(value)) {
      return;
    }
    const shape = service.shapes[type.structure];
    for (const [key, v] of Object.entries(value)) {
      const name = key.endsWith('.$') ? key.slice(0, -2) : key;
      this.argumentNames++;
      const member = shape?.members[name];
      if (!member) {
        this.problems.push(`${where}: ${type.structure} has no member ${name} (members: ${Object.keys(shape?.members ?? {}).join(', ')})`);
        continue;
      }
      if (!key.endsWith('.$')) {
        this.fields(`${where}.${name}`, service, member.type, v);
      }
    }
  }

  private error(where: string, service: ServiceModel, error: string): void {
    if (error.startsWith('States.')) {
      if (!STATES_ERRORS.has(error)) {
        this.problems.push(`${where}: ${error} is not a Step Functions error`);
      }
      return;
    }
    const dot = error.indexOf('.');
    const prefix = error.slice(0, dot);
    const exception = error.slice(dot + 1);
    if (dot < 0 || prefix !== service.prefix) {
      this.problems.push(`${where}: ${error} does not start with the service's error prefix ${service.prefix}.`);
    } else if (!service.exceptions[exception]) {
      this.problems.push(`${where}: ${error}: no exception class ${exception} extends ${service.baseException}`
        + ` in ${service.client.replace(/\.[A-Za-z]+$/, '.model')}; unmodeled errors arrive as ${service.prefix}.${service.baseException}`);
    }
  }
}

/** The JSONata expressions of a state, without those of its nested states. */
function stateExpressions(value: unknown, where: string): Array<{ where: string; text: string }> {
  const found: Array<{ where: string; text: string }> = [];
  const visit = (v: unknown, nested: boolean) => {
    if (typeof v === 'string') {
      const m = JSONATA.exec(v);
      if (m) {
        found.push({ where, text: m[1] });
      }
    } else if (Array.isArray(v)) {
      v.forEach((e) => visit(e, false));
    } else if (v && typeof v === 'object') {
      for (const [k, e] of Object.entries(v)) {
        if (!(nested && ['Branches', 'ItemProcessor', 'Iterator'].includes(k))) {
          visit(e, false);
        }
      }
    }
  };
  visit(value, true);
  return found;
}

/** Checks every AWS SDK integration task of the definitions against the Java SDK model. */
export function checkSdkContract(definitions: Array<{ name: string; definition: any }>, model: JavaSdkModel): ContractReport {
  const checker = new Checker(model);
  for (const { name, definition } of definitions) {
    checker.check(name, definition);
  }
  return {
    tasks: checker.tasks,
    argumentNames: checker.argumentNames,
    resultPaths: checker.resultPaths,
    errorNames: checker.errorNames,
    problems: checker.problems,
  };
}
