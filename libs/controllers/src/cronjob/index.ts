/**
 * The CronJob controller: Jobs on a cron schedule (see cronjob.reconciler.ts).
 */
export { CronJobModule } from './cronjob.module';
export { CronJobReconciler, CRONJOB_CONTROLLER_OPTIONS } from './cronjob.reconciler';
export type { CronJobControllerOptions } from './cronjob.reconciler';
export { parseCronSchedule, CronScheduleError } from './cron-schedule';
export type { CronSchedule } from './cron-schedule';
export { jobName as cronJobJobName, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob-jobs';
