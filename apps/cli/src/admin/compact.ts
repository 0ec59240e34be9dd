/**
 * `npm run compact`: compacts the event log once, by the retention policy
 * of the environment (LOGBOOK_RETENTION_MAX_AGE, LOGBOOK_RETENTION_MAX_EVENTS)
 * or of the flags, against the database `npm start` uses (DATABASE_URL, or
 * the embedded one). The apiserver does the same periodically when the
 * policy is set in its environment.
 *
 *   npm run compact -- --max-age 30d
 *   npm run compact -- --max-events 1000000 --dry-run
 */
import '../../../logbook/src/register-paths';
import { Retention, RetentionPolicy, parseDuration, poolOf, retentionPolicyFromEnv } from '@logbook/event-store';
import { withStore } from '../../../logbook/src/admin/with-store';

function policyFrom(argv: string[]): { policy?: RetentionPolicy; dryRun: boolean } {
  let policy = retentionPolicyFromEnv(process.env);
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a.startsWith('--max-age')) policy = { ...policy, maxAgeMs: parseDuration(value()) };
    else if (a.startsWith('--max-events')) {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 1) throw new Error('--max-events must be a whole number of at least 1');
      policy = { ...policy, maxEvents: n };
    } else if (a === '--dry-run') dryRun = true;
    else throw new Error(`unknown flag ${a} (flags: --max-age DURATION, --max-events N, --dry-run)`);
  }
  return { policy, dryRun };
}

async function main(): Promise<void> {
  const { policy, dryRun } = policyFrom(process.argv.slice(2));
  if (!policy) {
    console.log('no retention policy (set LOGBOOK_RETENTION_MAX_AGE or LOGBOOK_RETENTION_MAX_EVENTS, or pass --max-age / --max-events): keeping everything');
    return;
  }
  await withStore(async (store) => {
    const retention = new Retention(poolOf(store.dataSource), policy);
    if (dryRun) {
      const t = await retention.targetHorizon();
      console.log(`log head ${t.head}, horizon ${t.horizon}; this policy would move the horizon to ${t.target}`);
      return;
    }
    const s = await retention.compact();
    if (!s) {
      console.log('nothing to compact (or another process is compacting)');
      return;
    }
    console.log(`compacted ${s.deletedEvents} events up to resourceVersion ${s.horizon} (was ${s.previousHorizon}); kept ${s.keptEvents} for the state at the horizon`);
    if (s.firstTime && s.lastTime) console.log(`deleted events from ${s.firstTime.toISOString()} to ${s.lastTime.toISOString()}`);
    console.log(`by kind: ${JSON.stringify(s.byKind)}`);
    console.log(`by actor: ${JSON.stringify(s.byActor)}`);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
