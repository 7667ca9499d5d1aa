import { Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { propError } from './errors';

/**
 * Checks that an AWS Backup schedule is a cron expression with six fields, and returns the fields (undefined for a
 * schedule given as a token, which is not checked). AWS Backup schedules are cron expressions; they take no `rate()`
 * expression.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html (ScheduleExpression: "A cron expression in UTC")
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_RestoreTestingPlanForCreate.html (ScheduleExpression: "A CRON expression")
 */
export function validateCronSchedule(construct: string, prop: string, schedule: events.Schedule | undefined): string[] | undefined {
  if (schedule === undefined || Token.isUnresolved(schedule.expressionString)) {
    return undefined;
  }
  const expression = schedule.expressionString;
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) {
    throw propError(construct, prop, expression, 'a cron expression (events.Schedule.cron): AWS Backup schedules take no rate() expression');
  }
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    throw propError(construct, prop, expression, 'a cron expression with six fields: minutes hours day-of-month month day-of-week year');
  }
  return fields;
}

/**
 * Checks an AWS Backup plan rule's schedule: a cron expression that starts at most one backup job an hour. The AWS
 * Backup guide puts the most frequent schedule at an hour ("You can also create a cron expression that creates
 * snapshot backups as frequently as hourly"), and the API reference's most frequent example is hourly,
 * `15 * ? * * *`. A cron expression runs at most once an hour exactly when its minutes field is a single number, so
 * that is the rule checked.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRule.html (ScheduleExpression)
 */
export function validateBackupSchedule(construct: string, prop: string, schedule: events.Schedule | undefined): void {
  const fields = validateCronSchedule(construct, prop, schedule);
  if (fields === undefined) {
    return;
  }
  const minutes = fields[0];
  if (!/^\d{1,2}$/.test(minutes) || Number(minutes) > 59) {
    throw propError(construct, prop, schedule!.expressionString,
      'at most one backup an hour: the minutes field must be a single number from 0 to 59 (AWS Backup refuses jobs less than 60 minutes apart)');
  }
}
