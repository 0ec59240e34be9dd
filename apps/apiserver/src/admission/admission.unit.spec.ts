import { defaultScheme } from '@logbook/api';
import { ApiError } from '@logbook/machinery';
import { AdmissionAttributes, AdmissionChain, AdmissionPlugin } from './admission';
import { NamespaceLifecycle } from './namespace-lifecycle';
import { defaultAdmissionChain } from './plugins';

const configMaps = defaultScheme.byGroupVersionResource('', 'v1', 'configmaps')!;
const namespaces = defaultScheme.byGroupVersionResource('', 'v1', 'namespaces')!;
const attrs = (extra: Partial<AdmissionAttributes>): AdmissionAttributes => ({
  operation: 'CREATE',
  def: configMaps,
  namespace: 'default',
  name: 'x',
  subresource: '',
  object: { metadata: { name: 'x' } },
  user: { username: 'jane', groups: [] },
  dryRun: false,
  ...extra,
});

describe('admission chain', () => {
  it('runs every mutating step in order, then every validating step, and stops at the first rejection', async () => {
    const calls: string[] = [];
    const plugin = (name: string, reject = false): AdmissionPlugin => ({
      name,
      admit: (a) => {
        calls.push(`admit ${name}`);
        a.object!.metadata.labels = { ...(a.object!.metadata.labels ?? {}), [name]: 'yes' };
      },
      validate: () => {
        calls.push(`validate ${name}`);
        if (reject) throw new ApiError(403, 'Forbidden', `${name} says no`);
      },
    });
    const chain = new AdmissionChain([plugin('a'), plugin('c', true)]);
    chain.add(plugin('b'), { before: 'c' });
    expect(chain.names()).toEqual(['a', 'b', 'c']);
    const a = attrs({});
    await chain.admit(a);
    expect(a.object!.metadata.labels).toEqual({ a: 'yes', b: 'yes', c: 'yes' });
    await expect(chain.validate(a)).rejects.toThrow('c says no');
    expect(calls).toEqual(['admit a', 'admit b', 'admit c', 'validate a', 'validate b', 'validate c']);
  });

  it('puts plugins in kube\'s recommended order', () => {
    const sa: AdmissionPlugin = { name: 'ServiceAccount' };
    const webhook: AdmissionPlugin = { name: 'ValidatingAdmissionWebhook' };
    const chain = defaultAdmissionChain({ getNamespace: async () => undefined, extra: [webhook, sa] });
    expect(chain.names()).toEqual(['NamespaceLifecycle', 'ServiceAccount', 'ValidatingAdmissionWebhook']);
  });

  it('NamespaceLifecycle: no content in a missing or terminating namespace, immortal namespaces stay', async () => {
    const known: Record<string, object> = { default: { metadata: { name: 'default' } }, leaving: { metadata: { name: 'leaving', deletionTimestamp: '2026-01-01T00:00:00Z' } } };
    const lifecycle = new NamespaceLifecycle(async (n) => known[n] as never);
    await expect(lifecycle.validate(attrs({}))).resolves.toBeUndefined();
    await expect(lifecycle.validate(attrs({ namespace: 'nowhere' }))).rejects.toThrow('namespaces "nowhere" not found');
    await expect(lifecycle.validate(attrs({ namespace: 'leaving' }))).rejects.toThrow(
      'configmaps "x" is forbidden: unable to create new content in namespace leaving because it is being terminated',
    );
    // Updates and deletes in a terminating namespace go on (it must empty).
    await expect(lifecycle.validate(attrs({ namespace: 'leaving', operation: 'DELETE' }))).resolves.toBeUndefined();
    await expect(lifecycle.validate(attrs({ def: namespaces, namespace: '', name: 'kube-system', operation: 'DELETE' }))).rejects.toThrow(
      'namespaces "kube-system" is forbidden: this namespace may not be deleted',
    );
    await expect(lifecycle.validate(attrs({ def: namespaces, namespace: '', name: 'leaving', operation: 'DELETE' }))).resolves.toBeUndefined();
  });
});
