import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * Request bodies captured from real `kubectl create ...` (see
 * kubectl-create.int.spec.ts, which rewrites the file when run with
 * UPDATE_PROTOBUF_FIXTURES=1), with what kubectl printed for the same command
 * with `--dry-run=client -o json` — the JSON form of the same object.
 */
export interface KubectlCreateFixture {
  /** Test name, e.g. "create deployment". */
  name: string;
  /** Arguments after `kubectl create`; `$TMP` stands for a scratch directory. */
  args: string[];
  kubectlVersion: string;
  method: string;
  path: string;
  contentType: string;
  /** The captured request body, base64. */
  body: string;
  /**
   * The object as JSON: kubectl's `--dry-run=client -o json` output, or for
   * commands without a dry run (`create token`) the object Go's encoding/json
   * prints, written out in the test.
   */
  expected: Record<string, unknown>;
  /** Where `expected` came from. */
  expectedFrom: 'kubectl --dry-run=client -o json' | 'written in the test';
}

export const KUBECTL_FIXTURES_FILE = join(__dirname, 'fixtures', 'kubectl-create-v1.32.json');

export function loadKubectlFixtures(): KubectlCreateFixture[] {
  return JSON.parse(readFileSync(KUBECTL_FIXTURES_FILE, 'utf8')) as KubectlCreateFixture[];
}

/**
 * The one systematic difference between kubectl v1.32's JSON and ours:
 * kubectl v1.32 is built on apimachinery v0.32, where
 * `metadata.creationTimestamp` has no `omitzero`, so an unset one prints as
 * `"creationTimestamp": null`. Our schema facts come from apimachinery
 * v0.36.3, which tags it `omitempty,omitzero`, so it is left out. Both mean
 * "not set"; this removes the null so the two can be compared.
 */
export function withoutNullCreationTimestamps<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutNullCreationTimestamps(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const meta = { ...(v as Record<string, unknown>) };
      if (meta['creationTimestamp'] === null) delete meta['creationTimestamp'];
      out[k] = withoutNullCreationTimestamps(meta);
    } else {
      out[k] = withoutNullCreationTimestamps(v);
    }
  }
  return out as T;
}
