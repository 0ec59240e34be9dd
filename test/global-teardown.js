module.exports = async function globalTeardown() {
  const pg = globalThis.__LOGBOOK_TEST_PG__;
  if (pg) {
    await pg.stop();
    require('fs').rmSync(process.env.LOGBOOK_TEST_PG_DIR, { recursive: true, force: true });
  }
};
