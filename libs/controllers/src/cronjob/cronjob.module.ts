import { Module } from '@nestjs/common';
import { CronJobReconciler } from './cronjob.reconciler';

/**
 * The CronJob controller. Its options (a clock, the default time zone) can
 * be provided under `CRONJOB_CONTROLLER_OPTIONS`; without them it runs on
 * the wall clock in the process's local zone.
 */
@Module({ providers: [CronJobReconciler] })
export class CronJobModule {}
