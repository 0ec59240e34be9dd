/**
 * Replays the request bodies captured from real kubectl (see
 * kubectl-create.int.spec.ts) without needing kubectl: each must decode to
 * the JSON kubectl prints for the same command with --dry-run=client -o json.
 */
import { decodeKubernetesProtobuf } from './index';
import { loadKubectlFixtures, withoutNullCreationTimestamps } from './testing/kubectl-fixtures';

const fixtures = loadKubectlFixtures();

describe('protobuf bodies captured from kubectl create', () => {
  it('has fixtures for the kubectl create subcommands', () => {
    const kinds = new Set(fixtures.map((f) => f.expected['kind']));
    for (const kind of [
      'Namespace',
      'Deployment',
      'ConfigMap',
      'Secret',
      'Service',
      'Job',
      'CronJob',
      'ResourceQuota',
      'Role',
      'ClusterRole',
      'RoleBinding',
      'ClusterRoleBinding',
      'PriorityClass',
      'PodDisruptionBudget',
      'Ingress',
      'ServiceAccount',
      'TokenRequest',
    ]) {
      expect(kinds).toContain(kind);
    }
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const body = Buffer.from(fixture.body, 'base64');
    expect(fixture.contentType).toBe('application/vnd.kubernetes.protobuf');
    expect(body.subarray(0, 4).toString('latin1')).toBe('k8s\0');
    expect(decodeKubernetesProtobuf(body)).toStrictEqual(withoutNullCreationTimestamps(fixture.expected));
  });

  it('decodes the same bytes given as a plain Uint8Array', () => {
    const fixture = fixtures.find((f) => f.expected['kind'] === 'Deployment')!;
    const bytes = new Uint8Array(Buffer.from(fixture.body, 'base64'));
    expect(decodeKubernetesProtobuf(bytes)).toStrictEqual(withoutNullCreationTimestamps(fixture.expected));
  });
});
