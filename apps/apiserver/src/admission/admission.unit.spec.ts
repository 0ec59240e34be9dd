import { defaultScheme } from '@logbook/api';
import { ApiError } from '@logbook/machinery';
import { AdmissionAttributes, AdmissionChain, AdmissionPlugin } from './admission';
import { NamespaceLifecycle } from './namespace-lifecycle';
import { defaultAdmissionChain, disabledAdmissionPluginsFromEnv } from './plugins';

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
    const chain = defaultAdmissionChain({ extra: [webhook, sa] });
    expect(chain.names()).toEqual(['NamespaceLifecycle', 'ServiceAccount', 'ValidatingAdmissionWebhook']);
    expect(defaultAdmissionChain({ extra: [webhook, sa], disabled: ['ServiceAccount'] }).names()).toEqual(['NamespaceLifecycle', 'ValidatingAdmissionWebhook']);
  });

  it('reads the disabled plugins from LOGBOOK_DISABLE_ADMISSION_PLUGINS and refuses unknown names', () => {
    expect(disabledAdmissionPluginsFromEnv({})).toEqual([]);
    expect(disabledAdmissionPluginsFromEnv({ LOGBOOK_DISABLE_ADMISSION_PLUGINS: 'ServiceAccount, NamespaceLifecycle' })).toEqual(['ServiceAccount', 'NamespaceLifecycle']);
    expect(() => disabledAdmissionPluginsFromEnv({ LOGBOOK_DISABLE_ADMISSION_PLUGINS: 'ServiceAcount' })).toThrow('unknown admission plugin(s) ServiceAcount');
  });

  it('NamespaceLifecycle keeps the system namespaces', () => {
    const lifecycle = new NamespaceLifecycle();
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      expect(() => lifecycle.validate(attrs({ def: namespaces, namespace: '', name: ns, operation: 'DELETE' }))).toThrow(
        `namespaces "${ns}" is forbidden: this namespace may not be deleted`,
      );
    }
    expect(() => lifecycle.validate(attrs({ def: namespaces, namespace: '', name: 'leaving', operation: 'DELETE' }))).not.toThrow();
    expect(() => lifecycle.validate(attrs({ namespace: 'default', name: 'default', operation: 'DELETE' }))).not.toThrow();
  });
});
