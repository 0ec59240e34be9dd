describe('probe', () => {
  it('getBuiltinModule', async () => {
      const { createRequire } = process.getBuiltinModule('module') as typeof import('module');
      const m = createRequire('/tmp/cn14/x.js')('@kubernetes/client-node');
      console.log('ok', Object.keys(m).length, typeof m.KubeConfig, typeof m.setHeaderOptions, m.PatchStrategy);
      const kc = new m.KubeConfig();
      kc.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
      const api = kc.makeApiClient(m.CoreV1Api);
      try { await api.listNamespacedConfigMap({ namespace: 'default' }); } catch (e) { console.log('err', e instanceof Error, String(e).slice(0, 200)); }
  });
});
