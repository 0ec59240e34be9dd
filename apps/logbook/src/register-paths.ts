/**
 * Resolves `@logbook/*` imports when running compiled code from dist/, where
 * the TypeScript path aliases no longer apply. A no-op under ts-jest/ts-node.
 */
import * as path from 'path';
import { register } from 'tsconfig-paths';

if (__filename.endsWith('.js')) {
  const distRoot = path.resolve(__dirname, '../../..');
  register({
    baseUrl: distRoot,
    paths: {
      '@logbook/sdk/testing': ['libs/sdk/src/testing'],
      '@logbook/*': ['libs/*/src', 'apps/*/src'],
    },
  });
}
