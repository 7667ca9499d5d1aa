import { Match, Template } from 'aws-cdk-lib/assertions';
import { dbStack, record } from '../util';

describe('MultiAzPostgres defaults', () => {
  let template: Template;
  beforeAll(() => {
    const { stack } = dbStack();
    template = record(stack);
  });

  test('one Multi-AZ PostgreSQL 18 instance on db.m7g.large, private, IAM auth, no public access', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '18',
      DBInstanceClass: 'db.m7g.large',
      DBInstanceIdentifier: 'teststack-db-4b3753bb',
      MultiAZ: true,
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      Port: '5432',
      CACertificateIdentifier: 'rds-ca-rsa2048-g1',
    });
  });

  test('storage is gp3, 100 GiB, autoscaling to 200 GiB, encrypted with the construct key', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 200,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
    });
  });

  test('backups kept 35 days, tags copied to snapshots, automated backups kept after deletion', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: 35,
      CopyTagsToSnapshot: true,
      DeleteAutomatedBackups: false,
    });
  });

  test('deletion protection on and a final snapshot on removal', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ DeletionProtection: true }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('postgresql and upgrade logs exported; Performance Insights with the CMK; enhanced monitoring every 60 s', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
      PerformanceInsightsRetentionPeriod: 7,
      MonitoringInterval: 60,
      MonitoringRoleArn: Match.anyValue(),
      AutoMinorVersionUpgrade: true,
    });
  });

  test('the enhanced monitoring role can be assumed by RDS only for this instance in this account (confused deputy)', () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html#USER_Monitoring.OS.confused-deputy
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'monitoring.rds.amazonaws.com' },
          Condition: {
            StringLike: { 'aws:SourceArn': 'arn:aws:rds:us-east-1:111111111111:db:teststack-db-4b3753bb' },
            StringEquals: { 'aws:SourceAccount': '111111111111' },
          },
        }],
        Version: '2012-10-17',
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole']] }],
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbInstanceMonitoringRole'), 'Arn'] },
    });
  });

  test('KMS key has rotation on and is retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        Description: Match.stringLikeRegexp('teststack-db-4b3753bb'),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('key policy lets CloudWatch Logs use the key only for this instance\'s log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('teststack-db-4b3753bb'),
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogsForThisInstance',
          Principal: { Service: 'logs.us-east-1.amazonaws.com' },
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/rds/instance/teststack-db-4b3753bb/*',
            },
          },
        })]),
      },
    });
  });

  test('TLS enforced with a TLS 1.2 minimum in a postgres18 parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: { 'rds.force_ssl': '1', 'ssl_min_protocol_version': 'TLSv1.2' },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBParameterGroupName: { Ref: Match.stringLikeRegexp('^DbParameterGroup') },
    });
  });

  test('master secret is generated, CMK-encrypted, retained and not RDS-managed', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
        GenerateSecretString: Match.objectLike({
          SecretStringTemplate: '{"username":"postgres_admin"}',
          GenerateStringKey: 'password',
        }),
        ReplicaRegions: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      ManageMasterUserPassword: Match.absent(),
      MasterUsername: Match.anyValue(),
      MasterUserPassword: Match.anyValue(),
    });
    template.resourceCountIs('AWS::SecretsManager::SecretTargetAttachment', 1);
  });

  test('master password rotates every 30 days through the single-user rotation application', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    const apps = Object.values(template.findResources('AWS::Serverless::Application'));
    expect(apps).toHaveLength(1);
    const mappingId = apps[0].Properties.Location.ApplicationId['Fn::FindInMap'][0];
    expect(template.toJSON().Mappings[mappingId].aws.applicationId).toMatch(/SecretsManagerRDSPostgreSQLRotationSingleUser$/);
    expect(apps[0].Properties.Parameters).toEqual(expect.objectContaining({
      kmsKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^DbKey/), 'Arn'] },
      // The rotation function calls Secrets Manager through the VPC endpoint.
      endpoint: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: expect.stringMatching(/^NetworkVpcSecretsManager/) }])] },
    }));
  });

  test('log groups are named for the instance, KMS-encrypted, kept a year, and created before the instance', () => {
    for (const logType of ['postgresql', 'upgrade']) {
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: Match.objectLike({
          LogGroupName: `/aws/rds/instance/teststack-db-4b3753bb/${logType}`,
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
          RetentionInDays: 365,
        }),
        DeletionPolicy: 'Retain',
      });
    }
    const instance = Object.values(template.findResources('AWS::RDS::DBInstance'))[0];
    expect(instance.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^DbPostgresqlLogGroup/),
      expect.stringMatching(/^DbUpgradeLogGroup/),
    ]));
  });

  test('security group has no outbound rules and admits only the rotation function, on 5432', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('no ingress until granted') },
    });
    expect(Object.keys(groups)).toHaveLength(1);
    const [sgId, sg] = Object.entries(groups)[0];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    // allowAllOutbound: false renders a rule that matches no traffic.
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] } },
    });
    expect(Object.values(ingress).map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^DbRotationSecurityGroup/), 'GroupId'] },
      }),
    ]);
  });

  test('subnet group uses the isolated subnets', () => {
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [
        { Ref: Match.stringLikeRegexp('^NetworkVpcisolatedSubnet1') },
        { Ref: Match.stringLikeRegexp('^NetworkVpcisolatedSubnet2') },
      ],
    });
  });

  test('the Secrets Manager endpoint admits the rotation function on 443', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbRotationSecurityGroup'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkVpcSecretsManagerSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('MultiAzPostgres attributes', () => {
  test('exposes identifier, literal ARN, endpoint, secret, key and instance class', () => {
    const { stack, db } = dbStack();
    expect(db.instanceIdentifier).toBe('teststack-db-4b3753bb');
    expect(stack.resolve(db.instanceArn)).toBe('arn:aws:rds:us-east-1:111111111111:db:teststack-db-4b3753bb');
    expect(db.instanceClass).toBe('db.m7g.large');
    expect(db.multiAz).toBe(true);
    expect(db.backupRetention?.toDays()).toBe(35);
    expect(db.port).toBe(5432);
    expect(stack.resolve(db.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbInstance/), 'Endpoint.Address'] });
    expect(stack.resolve(db.secret.secretArn)).toEqual({ Ref: expect.stringMatching(/^DbSecretAttachment/) });
    expect(stack.resolve(db.encryptionKey.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DbKey/), 'Arn'] });
    expect(Object.keys(db.logGroups).sort()).toEqual(['postgresql', 'upgrade']);
  });

  test('metric helpers name the instance and use a one-minute Average', () => {
    const { stack, db } = dbStack();
    const metrics = {
      CPUUtilization: db.metricCPUUtilization(),
      FreeableMemory: db.metricFreeableMemory(),
      SwapUsage: db.metricSwapUsage(),
      FreeStorageSpace: db.metricFreeStorageSpace(),
      DatabaseConnections: db.metricDatabaseConnections(),
      ReadLatency: db.metricReadLatency(),
      WriteLatency: db.metricWriteLatency(),
      DiskQueueDepth: db.metricDiskQueueDepth(),
      OldestReplicationSlotLag: db.metricOldestReplicationSlotLag(),
      TransactionLogsDiskUsage: db.metricTransactionLogsDiskUsage(),
      MaximumUsedTransactionIDs: db.metricMaximumUsedTransactionIDs(),
      ReplicaLag: db.metricReplicaLag(),
    };
    for (const [name, metric] of Object.entries(metrics)) {
      expect(metric.namespace).toBe('AWS/RDS');
      expect(metric.metricName).toBe(name);
      expect(stack.resolve(metric.dimensions)).toEqual({ DBInstanceIdentifier: 'teststack-db-4b3753bb' });
      expect(metric.period.toSeconds()).toBe(60);
      expect(metric.statistic).toBe('Average');
    }
    expect(db.metric('CPUUtilization', { statistic: 'Maximum' }).statistic).toBe('Maximum');
  });
});
