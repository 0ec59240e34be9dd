/**
 * @logbook/sdk/testing — the envtest of Logbook: a real apiserver process on
 * a fresh database for a test file, plus a fake clock and a waiting helper.
 */
export { startTestApiServer, TestApiServer } from './test-api-server';
export type { TestApiServerOptions, TestApiServerReplica } from './test-api-server';
export { eventually } from './eventually';
export { startTcpProxy } from './tcp-proxy';
export type { TcpProxy } from './tcp-proxy';
export { FakeClock } from '../clock';
export { createTestDatabase } from './database';
export type { TestDatabase } from './database';
