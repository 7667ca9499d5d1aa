import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { RejectionRow } from './table';
import { backupReplication } from './table-region';
import { DrBackupVault } from '../../src';
import { ACCOUNT, DR_REGION, newStack } from '../util';

/** AWS Backup schedules: cron expressions only, and a backup plan rule at most once an hour. Spread into `REJECTIONS`. */
const BACKUP_RULE = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html';
const PLAN_OPTIONS = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html';
const RESTORE_TESTING_PLAN = 'https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingPlanForCreate.html';

const COPY_DESTINATION = { vaultArn: `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:orders-dr` };

export const SCHEDULE_REJECTIONS: RejectionRow[] = [
  {
    construct: 'BackupReplication',
    prop: 'awsBackup.schedule',
    shown: "'rate(1 hour)'",
    allowed: 'a cron expression (events.Schedule.cron): AWS Backup schedules take no rate() expression',
    readme: 'a schedule that is not a cron expression',
    source: BACKUP_RULE,
    build: backupReplication({ awsBackup: { destination: COPY_DESTINATION, schedule: events.Schedule.rate(Duration.hours(1)) } }),
  },
  {
    construct: 'BackupReplication',
    prop: 'awsBackup.schedule',
    shown: "'cron(0/30 * * * ? *)'",
    allowed: 'at most one backup an hour: the minutes field must be a single number from 0 to 59',
    readme: 'more than one backup an hour',
    source: PLAN_OPTIONS,
    build: backupReplication({ awsBackup: { destination: COPY_DESTINATION, schedule: events.Schedule.cron({ minute: '0/30' }) } }),
  },
  {
    construct: 'BackupReplication',
    prop: 'awsBackup.schedule',
    shown: "'cron(0,30 5 * * ? *)'",
    allowed: 'at most one backup an hour',
    readme: 'more than one backup an hour',
    source: PLAN_OPTIONS,
    build: backupReplication({ awsBackup: { destination: COPY_DESTINATION, schedule: events.Schedule.cron({ minute: '0,30', hour: '5' }) } }),
  },
  {
    construct: 'DrBackupVault',
    prop: 'restoreTesting.schedule',
    shown: "'rate(7 days)'",
    allowed: 'a cron expression (events.Schedule.cron): AWS Backup schedules take no rate() expression',
    readme: 'a restore-testing schedule that is not a cron expression',
    source: RESTORE_TESTING_PLAN,
    build: (app) => {
      new DrBackupVault(newStack(app, 'Dr', DR_REGION), 'Vault', {
        backupVaultName: 'orders-dr', restoreTesting: { schedule: events.Schedule.rate(Duration.days(7)) },
      });
    },
  },
];
