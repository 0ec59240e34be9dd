export { createTestDatabase, testServerUrl } from './test-database';
export type { TestDatabase } from './test-database';
