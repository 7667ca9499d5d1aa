import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverHealthCheckType, Route53DbFailover, Route53DbFailoverProps, Warnings } from '../../src';
import { PRIMARY_ENDPOINT, PRIMARY_VPC_ID, acknowledgements, failoverApp, record, synthWithNag } from '../util';

function resourcesOf(template: Template, type: string): Record<string, any> {
  return Object.fromEntries(Object.entries(template.findResources(type)).map(([id, r]: [string, any]) => [id, r.Properties]));
}

describe('defaults: CloudWatch-alarm health checks for private endpoints', () => {
  const { drStack, failover } = failoverApp();
  const template = record(drStack);

  test('a private hosted zone associated with the VPCs of both Regions', () => {
    template.resourceCountIs('AWS::Route53::HostedZone', 1);
    template.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'orders.internal.',
      VPCs: [
        { VPCId: { Ref: Match.stringLikeRegexp('^NetworkVpc') }, VPCRegion: 'us-west-2' },
        { VPCId: PRIMARY_VPC_ID, VPCRegion: 'us-east-1' },
      ],
    });
  });

  test('writer CNAMEs: PRIMARY on the primary endpoint, SECONDARY on the replica, TTL 30 s', () => {
    const records = Object.values(resourcesOf(template, 'AWS::Route53::RecordSet')).filter((r) => r.Name === 'writer.orders.internal.');
    expect(records).toEqual([
      {
        Name: 'writer.orders.internal.',
        Type: 'CNAME',
        TTL: '30',
        Failover: 'PRIMARY',
        SetIdentifier: 'writer-primary',
        ResourceRecords: [PRIMARY_ENDPOINT],
        HostedZoneId: { Ref: expect.stringMatching(/^FailoverZone/) },
        HealthCheckId: { 'Fn::GetAtt': [expect.stringMatching(/^FailoverPrimaryWriterFencedHealthCheck/), 'HealthCheckId'] },
      },
      {
        Name: 'writer.orders.internal.',
        Type: 'CNAME',
        TTL: '30',
        Failover: 'SECONDARY',
        SetIdentifier: 'writer-secondary',
        ResourceRecords: [{ 'Fn::GetAtt': [expect.stringMatching(/^OrdersReplicaInstance/), 'Endpoint.Address'] }],
        HostedZoneId: { Ref: expect.stringMatching(/^FailoverZone/) },
        HealthCheckId: { 'Fn::GetAtt': [expect.stringMatching(/^FailoverSecondaryWriterOrLatchedHealthCheck/), 'HealthCheckId'] },
      },
    ]);
    expect(failover.writerDnsName).toBe('writer.orders.internal');
    expect(failover.ttl.toSeconds()).toBe(30);
  });

  test('the secondary writer is healthy only while the replica is writable: its not-writable alarm, no data unhealthy', () => {
    const checks = resourcesOf(template, 'AWS::Route53::HealthCheck');
    const secondary = Object.entries(checks).find(([id]) => id.startsWith('FailoverSecondaryWriterHealthCheck'))![1];
    expect(secondary.HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: 'orders-dr-not-writable', Region: 'us-west-2' },
      InsufficientDataHealthStatus: 'Unhealthy',
    });
    const primary = Object.entries(checks).find(([id]) => id.startsWith('FailoverPrimaryWriterHealthCheck'))![1];
    expect(primary.HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: 'orders-primary-not-writable', Region: 'us-east-1' },
      InsufficientDataHealthStatus: 'Unhealthy',
    });
    // Route 53 cannot nest calculated checks: every child of a calculated check watches an alarm.
    for (const c of Object.values(checks).filter((x) => x.HealthCheckConfig.Type === 'CALCULATED')) {
      for (const child of c.HealthCheckConfig.ChildHealthChecks) {
        expect(checks[child['Fn::GetAtt'][0]].HealthCheckConfig.Type).toBe('CLOUDWATCH_METRIC');
      }
    }
  });

  test('the fence: the primary writer record needs the primary writable and the secondary not writable', () => {
    const checks = resourcesOf(template, 'AWS::Route53::HealthCheck');
    const readOnly = Object.entries(checks).find(([id]) => id.startsWith('FailoverSecondaryReadOnlyHealthCheck'))!;
    expect(readOnly[1].HealthCheckConfig).toEqual({
      Type: 'CLOUDWATCH_METRIC',
      AlarmIdentifier: { Name: 'orders-dr-writable', Region: 'us-west-2' },
      InsufficientDataHealthStatus: 'LastKnownStatus',
    });
    const fenced = Object.entries(checks).find(([id]) => id.startsWith('FailoverPrimaryWriterFencedHealthCheck'))![1];
    const idOf = (prefix: string) => ({ 'Fn::GetAtt': [Object.keys(checks).find((id) => id.startsWith(prefix)), 'HealthCheckId'] });
    expect(fenced.HealthCheckConfig).toEqual({
      Type: 'CALCULATED',
      ChildHealthChecks: [idOf('FailoverPrimaryWriterHealthCheck'), idOf('FailoverSecondaryReadOnlyHealthCheck'), idOf('FailoverFenceNotLatchedHealthCheck')],
      HealthThreshold: 3,
    });
    expect(failover.fenceAlarm).toBeDefined();
  });

  test('the latch: an alarm on Promoted (Maximum >= 1 in a minute, missing data missing), two checks on it that keep their last status', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'orders-dr-promoted',
      Namespace: 'CdkResilientPostgres',
      MetricName: 'Promoted',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-dr' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^ReplicaAlarmsTopic') }],
    });
    const checks = resourcesOf(template, 'AWS::Route53::HealthCheck');
    const config = (prefix: string) => Object.entries(checks).find(([id]) => id.startsWith(prefix))![1].HealthCheckConfig;
    const onLatch = { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'orders-dr-promoted', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'LastKnownStatus' };
    expect(config('FailoverFenceNotLatchedHealthCheck')).toEqual(onLatch);
    expect(config('FailoverFenceLatchedHealthCheck')).toEqual({ ...onLatch, Inverted: true });
    const idOf = (prefix: string) => ({ 'Fn::GetAtt': [Object.keys(checks).find((id) => id.startsWith(prefix)), 'HealthCheckId'] });
    // NOT (secondary not writable AND not latched), with no inverted alarm check in it.
    expect(config('FailoverSecondaryWriterOrLatchedHealthCheck')).toEqual({
      Type: 'CALCULATED', ChildHealthChecks: [idOf('FailoverSecondaryReadOnlyHealthCheck'), idOf('FailoverFenceNotLatchedHealthCheck')], HealthThreshold: 2, Inverted: true,
    });
    expect(config('FailoverPrimaryReaderFencedHealthCheck')).toEqual({
      Type: 'CALCULATED',
      ChildHealthChecks: [idOf('FailoverPrimaryReaderHealthCheck'), idOf('FailoverSecondaryReadOnlyHealthCheck'), idOf('FailoverFenceNotLatchedHealthCheck')],
      HealthThreshold: 3,
    });
    expect(config('FailoverSecondaryReaderOrLatchedHealthCheck')).toEqual({
      Type: 'CALCULATED', ChildHealthChecks: [idOf('FailoverSecondaryReaderHealthCheck'), idOf('FailoverFenceLatchedHealthCheck')], HealthThreshold: 1,
    });
    // The latch checks are created after the alarm they name.
    for (const id of Object.keys(checks).filter((x) => /^FailoverFence/.test(x))) {
      expect(template.toJSON().Resources[id].DependsOn).toEqual([expect.stringMatching(/^FailoverFenceLatchAlarm/)]);
    }
    expect(failover.latchMetric).toMatchObject({ namespace: 'CdkResilientPostgres', metricName: 'Promoted', dimensions: { DBInstanceIdentifier: 'orders-dr' } });
    expect(failover.latchAlarm).toBeDefined();
    expect(failover.fenceLiftCommand).toBe('aws cloudwatch put-metric-data --region us-west-2 --namespace CdkResilientPostgres '
      + '--metric-name Promoted --dimensions DBInstanceIdentifier=orders-dr --value 0 --unit Count --storage-resolution 60');
  });

  test('reader CNAMEs follow whether each side answers', () => {
    const readers = Object.values(resourcesOf(template, 'AWS::Route53::RecordSet')).filter((r) => r.Name === 'reader.orders.internal.');
    expect(readers.map((r) => [r.Failover, r.SetIdentifier])).toEqual([['PRIMARY', 'reader-primary'], ['SECONDARY', 'reader-secondary']]);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'orders-dr-unreachable', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'Unhealthy' },
      HealthCheckTags: [{ Key: 'Name', Value: 'reader.orders.internal secondary answers' }],
    });
    expect(failover.readerDnsName).toBe('reader.orders.internal');
  });

  test('the DNS terms with the fence: the latch alarm\'s one period + health-check lag + TTL = 120 s, from the promotion', () => {
    expect(failover.dnsTerms.map((t) => [t.name, t.seconds, t.setBy, t.assumed])).toEqual([
      ['DNS: latch alarm', 60, 'Route53DbFailover fence (secondary.writableAlarm)', false],
      ['DNS: health-check lag', 30, 'Route53DbFailover healthCheckLag', true],
      ['DNS: TTL', 30, 'Route53DbFailover ttl', false],
    ]);
    expect(failover.dnsTerms.every((t) => t.source.startsWith('https://docs.aws.amazon.com/'))).toBe(true);
    // The limit that keeps the first term at a whole period: Route 53 watches standard-resolution alarms only.
    expect(failover.dnsTerms[0].basis).toContain('standard-resolution alarms only');
    expect(failover.dnsTerms[0].source).toBe('https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html'
      + '#dns-failover-determining-health-of-endpoints-cloudwatch');
    // The latch alarm the first term reads: one 60 s period, one datapoint.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'orders-dr-promoted', Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(failover.dnsTerms.reduce((sum, t) => sum + t.seconds, 0)).toBe(120);
  });

  test('without the fence: probe interval + alarm period x evaluation periods + health-check lag + TTL = 240 s', () => {
    const { drNet, primaryVpc, primaryProbe, drProbe, replica, drStack: stack } = failoverApp();
    const unfenced = new Route53DbFailover(stack, 'Unfenced', {
      zoneName: 'unfenced.internal',
      vpcs: [drNet.vpc, primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    });
    expect(unfenced.dnsTerms.map((t) => [t.name, t.seconds, t.setBy, t.assumed])).toEqual([
      ['DNS: probe interval', 60, 'WritableProbe (one run a minute)', false],
      ['DNS: alarm periods × evaluation periods', 120, 'WritableProbe evaluationPeriods', false],
      ['DNS: health-check lag', 30, 'Route53DbFailover healthCheckLag', true],
      ['DNS: TTL', 30, 'Route53DbFailover ttl', false],
    ]);
  });

  test('each health check on an alarm of this stack waits for it (DependsOn); alarms of another stack are not referenced', () => {
    // Route 53 reads the alarm's settings from CloudWatch when it creates the health check, and the health check names
    // the alarm by a literal name, which gives CloudFormation no order of its own.
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-updating-cloudwatch-alarm-settings.html
    const resources = template.toJSON().Resources as Record<string, any>;
    const alarmIdsByName = new Map(Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id, r]) => [r.Properties.AlarmName, id]));
    const dependsOn = Object.fromEntries(Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Route53::HealthCheck' && r.Properties.HealthCheckConfig.Type === 'CLOUDWATCH_METRIC')
      .map(([, r]) => [r.Properties.HealthCheckConfig.AlarmIdentifier.Name, r.DependsOn ?? []]));
    expect(Object.keys(dependsOn).sort()).toEqual([
      'orders-dr-not-writable', 'orders-dr-promoted', 'orders-dr-unreachable', 'orders-dr-writable', 'orders-primary-not-writable',
      'orders-primary-unreachable',
    ]);
    for (const name of ['orders-dr-not-writable', 'orders-dr-promoted', 'orders-dr-unreachable', 'orders-dr-writable']) {
      expect(alarmIdsByName.get(name)).toBeDefined();
      expect(dependsOn[name]).toContain(alarmIdsByName.get(name));
    }
    // The primary's alarms live in the primary stack, deployed first (a stack dependency): nothing to name here.
    expect(dependsOn['orders-primary-not-writable']).toEqual([]);
    expect(dependsOn['orders-primary-unreachable']).toEqual([]);
  });

  test('no Route 53 API permission anywhere: DNS moves through health checks only', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('route53:ChangeResourceRecordSets');
  });
});

describe('overrides', () => {
  test('a TTL of 60 s, another writer name, no reader, a longer health-check lag', () => {
    const { drStack, failover } = failoverApp({
      ttl: Duration.seconds(60), writerRecordName: 'rw', readerRecordName: undefined, healthCheckLag: Duration.seconds(60),
    });
    const template = record(drStack);
    const records = Object.values(resourcesOf(template, 'AWS::Route53::RecordSet'));
    expect(records.map((r) => [r.Name, r.TTL])).toEqual([['rw.orders.internal.', '60'], ['rw.orders.internal.', '60']]);
    // Two writer checks, plus the fence's five (not writable, not latched, latched, and the two the records use).
    template.resourceCountIs('AWS::Route53::HealthCheck', 7);
    expect(failover.dnsTerms.map((t) => t.seconds)).toEqual([60, 60, 60]);
  });

  test('a given zone: records go in it, no zone is created', () => {
    const { drStack, drNet, primaryVpc, primaryProbe, drProbe, replica } = failoverApp();
    const zone = route53.PrivateHostedZone.fromPrivateHostedZoneAttributes(drStack, 'Existing', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'corp.internal' });
    new Route53DbFailover(drStack, 'Failover2', {
      zone,
      vpcs: [drNet.vpc, primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    });
    const template = record(drStack);
    template.resourceCountIs('AWS::Route53::HostedZone', 1); // the one of the first construct
    template.hasResourceProperties('AWS::Route53::RecordSet', { HostedZoneId: 'Z0123456789ABCDEFGHIJ', Name: 'writer.corp.internal.' });
  });

  test('TCP checks for public endpoints; the secondary writer still needs the writable alarm (calculated check)', () => {
    const { drStack, drNet, primaryVpc, primaryProbe, drProbe } = failoverApp();
    const failover = new Route53DbFailover(drStack, 'Public', {
      zoneName: 'public.internal',
      vpcs: [drNet.vpc, primaryVpc],
      healthCheckType: FailoverHealthCheckType.TCP,
      tcpRequestInterval: Duration.seconds(30),
      tcpFailureThreshold: 2,
      primary: { endpointAddress: 'db.example.com', publiclyAccessible: true, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: 'dr.example.com', publiclyAccessible: true, port: 6432, notWritableAlarm: drProbe.notWritableAlarm },
    });
    const checks = Object.entries(resourcesOf(record(drStack), 'AWS::Route53::HealthCheck'))
      .filter(([id]) => id.startsWith('Public')).map(([, c]) => c.HealthCheckConfig);
    expect(checks).toEqual([
      { Type: 'TCP', FullyQualifiedDomainName: 'db.example.com', Port: 5432, RequestInterval: 30, FailureThreshold: 2 },
      { Type: 'TCP', FullyQualifiedDomainName: 'dr.example.com', Port: 6432, RequestInterval: 30, FailureThreshold: 2 },
      { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'orders-dr-not-writable', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'Unhealthy' },
      {
        Type: 'CALCULATED',
        HealthThreshold: 2,
        ChildHealthChecks: [
          { 'Fn::GetAtt': [expect.stringMatching(/^PublicSecondaryTcpHealthCheck/), 'HealthCheckId'] },
          { 'Fn::GetAtt': [expect.stringMatching(/^PublicSecondaryWritableHealthCheck/), 'HealthCheckId'] },
        ],
      },
    ]);
    // Without a fence the secondary's writer record also waits for its not-writable alarm: TCP 30 s × 2, then the alarm path.
    expect(failover.dnsTerms.map((t) => [t.name, t.seconds])).toEqual([
      ['DNS: health-check interval × threshold', 60], ['DNS: probe interval', 60], ['DNS: alarm periods × evaluation periods', 120],
      ['DNS: health-check lag', 30], ['DNS: TTL', 30],
    ]);
    const writableCheck = Object.entries(record(drStack).findResources('AWS::Route53::HealthCheck'))
      .find(([id]) => id.startsWith('PublicSecondaryWritableHealthCheck'))![1] as any;
    expect(writableCheck.DependsOn).toEqual([expect.stringMatching(/^ReplicaProbeNotWritableAlarm/)]);

  });
});

describe('DNS terms per configuration', () => {
  test('TCP checks with a fence: the latch turns both writer records, 60 + 30 + 30 = 120 s, no TCP term', () => {
    const probes = failoverApp();
    const { failover } = failoverApp({
      zoneName: 'public.internal',
      readerRecordName: undefined,
      healthCheckType: FailoverHealthCheckType.TCP,
      primary: { endpointAddress: 'db.example.com', publiclyAccessible: true, notWritableAlarm: probes.primaryProbe.notWritableAlarm },
      secondary: {
        endpointAddress: 'dr.example.com',
        publiclyAccessible: true,
        notWritableAlarm: probes.drProbe.notWritableAlarm,
        writableAlarm: probes.drProbe.writableAlarm,
      },
    });
    expect(failover.dnsTerms.map((t) => [t.name, t.seconds])).toEqual([['DNS: latch alarm', 60], ['DNS: health-check lag', 30], ['DNS: TTL', 30]]);
  });
});

describe('rejections', () => {
  const reject = (props: Partial<Route53DbFailoverProps>, message: string) =>
    expect(() => failoverApp(props)).toThrow(message);

  test('a TTL over 60 s', () => reject({ ttl: Duration.seconds(61) },
    "Route53DbFailover: invalid ttl '1 minute 1 second': a whole number of seconds from 1 to 60: the library's policy, as resolvers "
    + 'keep a failed-over answer for the TTL and Route 53 recommends 60 seconds or less with health checks (a recommendation, not '
    + 'an AWS limit); there is no opt-out'));

  test('a TCP check on a private endpoint', () => reject({ healthCheckType: FailoverHealthCheckType.TCP },
    "Route53DbFailover: invalid healthCheckType 'TCP': CLOUDWATCH_ALARM, because primary.publiclyAccessible is not true: Route 53 health checkers run on the internet and cannot reach a private endpoint, so a TCP check on it would always fail"));

  test('a zone in only one Region\'s VPCs', () => {
    const { drStack, drNet, primaryProbe, drProbe, replica } = failoverApp();
    expect(() => new Route53DbFailover(drStack, 'OneRegion', {
      zoneName: 'x.internal',
      vpcs: [drNet.vpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow("Route53DbFailover: invalid vpcs 'VPCs in us-west-2': VPCs in both Regions, us-east-1 and us-west-2: none is in us-east-1, so clients there could not resolve the names after a failover");
  });

  test('an alarm with a percentile statistic feeding a health check', () => {
    const { drStack, drNet, primaryVpc, primaryStack, drProbe, replica } = failoverApp();
    const p99 = new cloudwatch.Alarm(primaryStack, 'P99', {
      alarmName: 'orders-primary-p99',
      threshold: 1,
      evaluationPeriods: 1,
      metric: new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Writable', statistic: 'p99', period: Duration.minutes(1) }),
    });
    expect(() => new Route53DbFailover(drStack, 'P99Failover', {
      zoneName: 'x.internal',
      vpcs: [drNet.vpc, primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: p99 },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow("Route53DbFailover: invalid primary.notWritableAlarm 'orders-primary-p99': an alarm with one of the statistics Average, Minimum, Maximum, Sum, SampleCount: Route 53 does not support extended statistics such as p99");
  });

  test('a high-resolution alarm, a metric-math alarm, an alarm without a literal name, an imported alarm', () => {
    const { drStack, drNet, primaryVpc, primaryStack, drProbe, replica } = failoverApp();
    const metric = new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Writable', statistic: 'Minimum', period: Duration.seconds(10) });
    const make = (id: string, alarm: cloudwatch.IAlarm) => () => new Route53DbFailover(drStack, id, {
      zoneName: 'x.internal',
      vpcs: [drNet.vpc, primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: alarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    });
    const hiRes = new cloudwatch.Alarm(primaryStack, 'HiRes', { alarmName: 'hi-res', threshold: 1, evaluationPeriods: 1, metric });
    expect(make('A', hiRes)).toThrow("invalid primary.notWritableAlarm 'hi-res': an alarm with a period of 60 seconds or more (it has 10): Route 53 does not support high-resolution alarms");
    const math = new cloudwatch.Alarm(primaryStack, 'Math', {
      alarmName: 'math',
      threshold: 1,
      evaluationPeriods: 1,
      metric: new cloudwatch.MathExpression({ expression: 'm * 2', usingMetrics: { m: metric.with({ period: Duration.minutes(1) }) } }),
    });
    expect(make('B', math)).toThrow("invalid primary.notWritableAlarm 'math': an alarm on a single metric: Route 53 health checks do not support metric math alarms");
    const unnamed = new cloudwatch.Alarm(primaryStack, 'Unnamed', { threshold: 1, evaluationPeriods: 1, metric: metric.with({ period: Duration.minutes(1) }) });
    expect(make('C', unnamed)).toThrow("invalid primary.notWritableAlarm 'Primary/Unnamed': an alarm with a literal alarmName: the health check names it, possibly from another Region");
    const imported = cloudwatch.Alarm.fromAlarmName(primaryStack, 'Imported', 'legacy');
    expect(make('D', imported)).toThrow("invalid primary.notWritableAlarm 'Primary/Imported': an alarm defined in this CDK app (cloudwatch.Alarm), so its statistic and period can be checked against Route 53's rules");
  });

  test('both sides in one Region', () => {
    const { drStack, drNet, primaryVpc, drProbe, replica } = failoverApp();
    expect(() => new Route53DbFailover(drStack, 'Same', {
      zoneName: 'x.internal',
      vpcs: [drNet.vpc, primaryVpc],
      primary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow("Route53DbFailover: invalid secondary.notWritableAlarm 'orders-dr-not-writable': an alarm in another Region than the primary's (us-west-2): both sides in one Region do not survive a Region loss");
  });

  test('a VPC of another Region\'s stack passed by reference', () => {
    const { drStack, primaryStack, drNet, primaryProbe, drProbe, replica } = failoverApp();
    const primaryNetVpc = (primaryStack.node.findChild('Network').node.findChild('Vpc') as ec2.Vpc);
    expect(() => new Route53DbFailover(drStack, 'Ref', {
      zoneName: 'x.internal',
      vpcs: [drNet.vpc, primaryNetVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow(/invalid vpcs\[1\] 'Primary\/Network\/Vpc': a VPC with a literal ID: this VPC belongs to us-east-1, and CloudFormation cannot reference another Region's stack/);
  });

  test.each([
    ['zone name', { zoneName: 'Orders.Internal' }, "invalid zoneName 'Orders.Internal': a lower-case domain name such as orders.internal (required when zone is not given)"],
    ['writer name', { writerRecordName: 'Writer_1' }, "invalid writerRecordName 'Writer_1': a record name relative to the zone: lower-case DNS labels such as writer"],
    ['reader name', { readerRecordName: 'writer' }, "invalid readerRecordName 'writer': a name other than the writer record name"],
    ['TCP interval', { tcpRequestInterval: Duration.seconds(20) }, "invalid tcpRequestInterval '20 seconds': 10 or 30 seconds, the intervals Route 53 offers"],
    ['TCP threshold', { tcpFailureThreshold: 11 }, 'invalid tcpFailureThreshold 11: a whole number from 1 to 10'],
    ['health-check lag', { healthCheckLag: Duration.minutes(11) }, "invalid healthCheckLag '11 minutes': a whole number of seconds from 0 to 600"],
  ] as Array<[string, Partial<Route53DbFailoverProps>, string]>)('%s', (_name, props, message) => reject(props, message));

  test('a target port outside 1-65535, no VPCs, a zone name next to a zone, a zone without a known name', () => {
    const { drStack, drNet, primaryVpc, primaryProbe, drProbe, replica } = failoverApp();
    const targets = {
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    };
    expect(() => new Route53DbFailover(drStack, 'Port', {
      zoneName: 'x.internal', vpcs: [drNet.vpc, primaryVpc], ...targets, secondary: { ...targets.secondary, port: 70000 },
    })).toThrow('Route53DbFailover: invalid secondary.port 70000: a TCP port from 1 to 65535');
    expect(() => new Route53DbFailover(drStack, 'NoVpcs', { zoneName: 'x.internal', vpcs: [], ...targets }))
      .toThrow("Route53DbFailover: invalid vpcs '[]': at least one VPC in each of the two Regions");
    const named = route53.PrivateHostedZone.fromPrivateHostedZoneAttributes(drStack, 'Named', { hostedZoneId: 'Z1', zoneName: 'corp.internal' });
    expect(() => new Route53DbFailover(drStack, 'Both', { zone: named, zoneName: 'x.internal', vpcs: [drNet.vpc, primaryVpc], ...targets }))
      .toThrow("Route53DbFailover: invalid zoneName 'x.internal': unset when zone is given");
    const byId = route53.PrivateHostedZone.fromPrivateHostedZoneId(drStack, 'ById', 'Z2');
    expect(() => new Route53DbFailover(drStack, 'ById2', { zone: byId, vpcs: [drNet.vpc, primaryVpc], ...targets }))
      .toThrow("Route53DbFailover: invalid zone 'Dr/ById': a zone whose name is known: import it with PrivateHostedZone.fromPrivateHostedZoneAttributes");
  });

  test('an alarm or a VPC in a stack without an explicit Region', () => {
    const { app, drStack, drNet, primaryVpc, primaryProbe, drProbe, replica } = failoverApp();
    const agnostic = new Stack(app, 'Agnostic');
    const alarm = new cloudwatch.Alarm(agnostic, 'A', {
      alarmName: 'agnostic',
      threshold: 1,
      evaluationPeriods: 1,
      metric: new cloudwatch.Metric({ namespace: 'CdkResilientPostgres', metricName: 'Writable', statistic: 'Minimum', period: Duration.minutes(1) }),
    });
    const secondary = { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm };
    expect(() => new Route53DbFailover(drStack, 'AgnosticAlarm', {
      zoneName: 'x.internal', vpcs: [drNet.vpc, primaryVpc], primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: alarm }, secondary,
    })).toThrow("Route53DbFailover: invalid primary.notWritableAlarm 'agnostic': an alarm in a stack with an explicit Region (env.region): the health check names its Region");
    const vpc = new ec2.Vpc(agnostic, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => new Route53DbFailover(drStack, 'AgnosticVpc', {
      zoneName: 'x.internal', vpcs: [drNet.vpc, vpc], primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm }, secondary,
    })).toThrow("Route53DbFailover: invalid vpcs[1] 'Agnostic/Vpc': a VPC whose Region is known at synth time (a stack with env.region)");
  });

  test('a literal endpoint that is not a host name; a reader without unreachable alarms', () => {
    const { drStack, drNet, primaryVpc, primaryProbe, drProbe, replica } = failoverApp();
    const base = { zoneName: 'x.internal', vpcs: [drNet.vpc, primaryVpc] };
    expect(() => new Route53DbFailover(drStack, 'Url', {
      ...base,
      primary: { endpointAddress: 'postgres://orders-primary:5432', notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow("invalid primary.endpointAddress 'postgres://orders-primary:5432': a DB instance endpoint host name");
    expect(() => new Route53DbFailover(drStack, 'Reader', {
      ...base,
      readerRecordName: 'reader',
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: replica.endpoint.hostname, notWritableAlarm: drProbe.notWritableAlarm },
    })).toThrow('invalid primary.unreachableAlarm (unset): an alarm (WritableProbe.unreachableAlarm): the reader record needs it');
  });
});

describe('the two-Region failover app', () => {
  test('zero unacknowledged findings in the four packs, both stacks', () => {
    const { app, primaryStack, drStack } = failoverApp();
    // The packs run in the synthesis; a template read before it would leave them nothing to check.
    expect(synthWithNag(app).findings).toEqual([]);
    record(primaryStack);
    record(drStack);
  });

  test('the probe acknowledgements, each with a reason', () => {
    const { app } = failoverApp();
    const acks = acknowledgements(app).filter((a) => /Probe/.test(a.path));
    for (const ack of acks) {
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Dr/ReplicaProbe/Function HIPAA.Security::HIPAA.Security-LambdaConcurrency',
      'Dr/ReplicaProbe/Function HIPAA.Security::HIPAA.Security-LambdaDLQ',
      'Dr/ReplicaProbe/Function NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency',
      'Dr/ReplicaProbe/Function NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
      'Dr/ReplicaProbe/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Primary/OrdersProbe/Function HIPAA.Security::HIPAA.Security-LambdaConcurrency',
      'Primary/OrdersProbe/Function HIPAA.Security::HIPAA.Security-LambdaDLQ',
      'Primary/OrdersProbe/Function NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency',
      'Primary/OrdersProbe/Function NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
      'Primary/OrdersProbe/Policy AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    ]);
  });

  test('the DR stack needs no cross-Region reference: no exports, imports or custom resources', () => {
    const { drStack } = failoverApp();
    const json = JSON.stringify(Template.fromStack(drStack).toJSON());
    expect(json).not.toMatch(/Fn::ImportValue|Custom::|crossRegion/);
    expect(Stack.of(drStack).region).toBe('us-west-2');
  });
});

describe('the writer answer over every combination of states, read from the synthesized template', () => {
  // Route 53's documented failover rules (health-checks-how-route-53-chooses-records, "Failover records"): the primary
  // when it is healthy; else the secondary when it is healthy; else the primary. A CLOUDWATCH_METRIC check is healthy
  // when its alarm's data says OK, inverted when Inverted. simulation.test.ts plays the same over time.
  type State = 'writable' | 'read-only' | 'down';
  const writerAnswer = (template: Template, states: Record<string, State>, latched = false): string => {
    const checks = resourcesOf(template, 'AWS::Route53::HealthCheck');
    const records = Object.values(resourcesOf(template, 'AWS::Route53::RecordSet')).filter((r) => r.Name === 'writer.orders.internal.');
    const alarmInAlarm = (name: string): boolean => {
      const [, db, kind] = /^(orders-primary|orders-dr)-(not-writable|unreachable|writable|promoted)$/.exec(name)!;
      return {
        'not-writable': states[db] !== 'writable',
        'unreachable': states[db] === 'down',
        'writable': states[db] === 'writable',
        'promoted': latched,
      }[kind]!;
    };
    // CLOUDWATCH_METRIC: healthy while its alarm is OK. CALCULATED: healthy while at least HealthThreshold children are.
    const checkHealthy = (id: string): boolean => {
      const config = checks[id].HealthCheckConfig;
      let healthy: boolean;
      if (config.Type === 'CALCULATED') {
        const children = config.ChildHealthChecks.map((c: any) => checkHealthy(c['Fn::GetAtt'][0]));
        healthy = children.filter(Boolean).length >= config.HealthThreshold;
      } else {
        healthy = !alarmInAlarm(config.AlarmIdentifier.Name);
      }
      return config.Inverted ? !healthy : healthy;
    };
    const healthy = (recordSet: any) => checkHealthy(recordSet.HealthCheckId['Fn::GetAtt'][0]);
    const primary = records.find((r) => r.Failover === 'PRIMARY')!;
    const secondary = records.find((r) => r.Failover === 'SECONDARY')!;
    const chosen = healthy(primary) ? primary : healthy(secondary) ? secondary : primary;
    return chosen === primary ? 'orders-primary' : 'orders-dr';
  };
  const template = Template.fromStack(failoverApp().drStack);
  const all: State[] = ['writable', 'read-only', 'down'];
  const combos = all.flatMap((p) => all.flatMap((d) => [false, true].map((l) => [p, d, l] as [State, State, boolean])));

  test.each(combos)('primary %s, DR %s, latched %s', (p, d, latched) => {
    const states: Record<string, State> = { 'orders-primary': p, 'orders-dr': d };
    const chosen = writerAnswer(template, states, latched);
    // The DR instance only once it is writable or has been promoted.
    if (chosen === 'orders-dr') {
      expect(d === 'writable' || latched).toBe(true);
    }
    // Before a promotion, whenever a side is writable, writers get a writable side.
    if (!latched && (p === 'writable' || d === 'writable')) {
      expect(states[chosen]).toBe('writable');
    }
    // The fence: once the DR instance is writable or has been promoted, the old primary is never answered.
    if (d === 'writable' || latched) {
      expect(chosen).toBe('orders-dr');
    }
  });

  test('negative control: without the fence, a returning old primary takes the writers back while the DR side is writable', () => {
    const unfenced = failoverApp();
    const fenced = unfenced.drStack.node.findChild('Failover').node.findChild('WriterPrimary').node.defaultChild as any;
    fenced.healthCheckId = (unfenced.drStack.node.findChild('Failover').node.findChild('PrimaryWriterHealthCheck') as any).attrHealthCheckId;
    expect(writerAnswer(Template.fromStack(unfenced.drStack), { 'orders-primary': 'writable', 'orders-dr': 'writable' })).toBe('orders-primary');
  });

  test('negative control: a secondary wired to the reachability alarm would send writers to a read-only replica', () => {
    const miswired = failoverApp();
    const failover = miswired.drStack.node.findChild('Failover').node;
    (failover.findChild('WriterSecondary').node.defaultChild as any).healthCheckId = (failover.findChild('SecondaryReaderHealthCheck') as any).attrHealthCheckId;
    expect(writerAnswer(Template.fromStack(miswired.drStack), { 'orders-primary': 'down', 'orders-dr': 'read-only' })).toBe('orders-dr');
  });
});

test('logical IDs of the zone, records and health checks are pinned: a rename would replace the zone', () => {
  const template = Template.fromStack(failoverApp().drStack);
  const ids = ['AWS::Route53::HostedZone', 'AWS::Route53::RecordSet', 'AWS::Route53::HealthCheck']
    .flatMap((type) => Object.keys(template.findResources(type))).sort();
  // Every id from before the latch is still here; the latch's health checks are new.
  expect(ids).toEqual([
    'FailoverFenceLatchedHealthCheckAA912C20', 'FailoverFenceNotLatchedHealthCheck49592158',
    'FailoverPrimaryReaderFencedHealthCheckBD983A3D', 'FailoverPrimaryReaderHealthCheckF8F810EF',
    'FailoverPrimaryWriterFencedHealthCheckF7A663CA', 'FailoverPrimaryWriterHealthCheckC03D03CF',
    'FailoverReaderPrimary05271C47', 'FailoverReaderSecondary22489EE9', 'FailoverSecondaryReadOnlyHealthCheckD969DF54',
    'FailoverSecondaryReaderHealthCheckC884077C', 'FailoverSecondaryReaderOrLatchedHealthCheck1A76830A',
    'FailoverSecondaryWriterHealthCheckF4AFA1B0', 'FailoverSecondaryWriterOrLatchedHealthCheck108AD5DF',
    'FailoverWriterPrimaryB348FB14', 'FailoverWriterSecondary7D8E12C2', 'FailoverZone7400F2DB',
  ]);
});

describe('the fence setting', () => {
  test('without secondary.writableAlarm the primary writer is unfenced, with an acknowledgeable warning', () => {
    const { drStack, failover } = failoverApp({
      secondary: {
        endpointAddress: 'orders-dr.cluster.us-west-2.rds.amazonaws.com',
        notWritableAlarm: failoverApp().drProbe.notWritableAlarm,
      },
      readerRecordName: undefined,
    });
    expect(failover.fenceAlarm).toBeUndefined();
    Annotations.fromStack(drStack).hasWarning('/Dr/Failover',
      Match.stringLikeRegexp(`secondary.writableAlarm is not set, so nothing fences the old primary.*\\[ack: ${Warnings.PRIMARY_NOT_FENCED}\\]`));
    const checks = Template.fromStack(drStack).findResources('AWS::Route53::HealthCheck');
    expect(Object.keys(checks).filter((id) => /Fenced|ReadOnly/.test(id))).toEqual([]);
  });

  test('TCP checks with a fence: not ((secondary TCP down or not writable) and not latched), in one inverted calculated check', () => {
    // One fenced failover per DR instance: the latch alarm is named after it.
    const probes = failoverApp();
    const { drStack } = failoverApp({
      zoneName: 'public.internal',
      readerRecordName: undefined,
      healthCheckType: FailoverHealthCheckType.TCP,
      primary: { endpointAddress: 'db.example.com', publiclyAccessible: true, notWritableAlarm: probes.primaryProbe.notWritableAlarm },
      secondary: {
        endpointAddress: 'dr.example.com', publiclyAccessible: true, notWritableAlarm: probes.drProbe.notWritableAlarm, writableAlarm: probes.drProbe.writableAlarm,
      },
    });
    const checks = resourcesOf(record(drStack), 'AWS::Route53::HealthCheck');
    const children = (prefix: string) => {
      const config = Object.entries(checks).find(([id]) => id.startsWith(prefix))![1].HealthCheckConfig;
      return [config.HealthThreshold, config.ChildHealthChecks.map((c: any) => c['Fn::GetAtt'][0].replace(/^Failover|HealthCheck[0-9A-F]{8}$/g, ''))];
    };
    expect(children('FailoverSecondaryWriterOrLatched')).toEqual([3, ['SecondaryTcpDown', 'SecondaryReadOnly', 'FenceNotLatched', 'FenceNotLatchedAgain']]);
    expect(Object.entries(checks).find(([id]) => id.startsWith('FailoverSecondaryTcpDown'))![1].HealthCheckConfig)
      .toEqual({ Type: 'TCP', FullyQualifiedDomainName: 'dr.example.com', Port: 5432, RequestInterval: 10, FailureThreshold: 3, Inverted: true });
    expect(children('FailoverPrimaryWriterFenced')).toEqual([3, ['PrimaryTcp', 'SecondaryReadOnly', 'FenceNotLatched']]);
    for (const config of Object.values(checks).map((c) => c.HealthCheckConfig).filter((c) => c.Type === 'CALCULATED')) {
      for (const child of config.ChildHealthChecks) {
        expect(checks[child['Fn::GetAtt'][0]].HealthCheckConfig.Type).not.toBe('CALCULATED');
      }
    }
  });

  test('a fence outside the secondary\'s Region is rejected: the latch alarm must watch the secondary\'s metrics', () => {
    const built = failoverApp();
    expect(() => new Route53DbFailover(built.primaryStack, 'Failover2', {
      zoneName: 'orders2.internal',
      vpcs: [built.primaryStack.node.findChild('Network').node.findChild('Vpc') as any, built.drNet.vpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: built.primaryProbe.notWritableAlarm },
      secondary: {
        endpointAddress: 'orders-dr.cluster.us-west-2.rds.amazonaws.com',
        notWritableAlarm: built.drProbe.notWritableAlarm,
        writableAlarm: built.drProbe.writableAlarm,
      },
    })).toThrow("Route53DbFailover: invalid secondary.writableAlarm 'orders-dr-writable': an alarm in this construct's Region (us-east-1): "
      + "the fence's latch alarm is created here and must watch the secondary's metrics in us-west-2");
  });

  test('a writable alarm that is not a probe\'s is rejected: the latch needs the probe\'s instance dimension', () => {
    const built = failoverApp();
    const other = new cloudwatch.Alarm(built.drStack, 'Other', {
      alarmName: 'other-writable',
      metric: new cloudwatch.Metric({ namespace: 'Custom', metricName: 'Writable', period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    expect(() => new Route53DbFailover(built.drStack, 'Failover2', {
      zoneName: 'orders2.internal',
      vpcs: [built.drNet.vpc, built.primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: built.primaryProbe.notWritableAlarm },
      secondary: { endpointAddress: 'orders-dr.cluster.us-west-2.rds.amazonaws.com', notWritableAlarm: built.drProbe.notWritableAlarm, writableAlarm: other },
    })).toThrow("Route53DbFailover: invalid secondary.writableAlarm 'other-writable': a WritableProbe's writableAlarm: an alarm on a CdkResilientPostgres metric "
      + 'with a literal DBInstanceIdentifier dimension');
  });

  test('a fence alarm in the primary\'s Region is rejected', () => {
    const built = failoverApp();
    expect(() => new Route53DbFailover(built.drStack, 'Failover2', {
      zoneName: 'orders2.internal',
      vpcs: [built.drNet.vpc, built.primaryVpc],
      primary: { endpointAddress: PRIMARY_ENDPOINT, notWritableAlarm: built.primaryProbe.notWritableAlarm },
      secondary: {
        endpointAddress: 'orders-dr.cluster.us-west-2.rds.amazonaws.com',
        notWritableAlarm: built.drProbe.notWritableAlarm,
        writableAlarm: built.primaryProbe.writableAlarm,
      },
    })).toThrow("Route53DbFailover: invalid secondary.writableAlarm 'orders-primary-writable': an alarm in the secondary's Region (us-west-2), on the secondary's writable signal");
  });
});
