/**
 * `npm run rebuild`: throws away the projection and derives it again from the
 * event log, then prints the digest before and after (equal unless the
 * projection had drifted from the log).
 */
import { withStore } from './with-store';

withStore(async (store) => {
  const before = await store.projection.checksum();
  const result = await store.projection.rebuild();
  const after = await store.projection.checksum();
  console.log(`rebuilt ${result.objects} objects from the log at seq ${result.seq}`);
  console.log(`before: ${before.rows} rows, md5 ${before.md5}`);
  console.log(`after:  ${after.rows} rows, md5 ${after.md5}${before.md5 === after.md5 ? ' (unchanged)' : ' (repaired)'}`);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
