import { ServiceAccountAdmission, SERVICE_ACCOUNT_MOUNT_PATH } from './serviceaccount-admission';

const accounts: Record<string, Record<string, unknown>> = {
  'ns/default': { metadata: { name: 'default' } },
  'ns/quiet': { metadata: { name: 'quiet' }, automountServiceAccountToken: false },
};
const lookups: string[] = [];
const plugin = new ServiceAccountAdmission(
  async (ns, name) => {
    lookups.push(`${ns}/${name}`);
    return accounts[`${ns}/${name}`];
  },
  { defaultAttempts: 3, retryMs: 1 },
);
const POD_DEF = { group: '', resource: 'pods' };

async function admit(spec: Record<string, unknown>, namespace = 'ns') {
  const object = { metadata: { name: 'p' }, spec };
  await plugin.admit({ operation: 'CREATE', def: POD_DEF, namespace, name: 'p', subresource: '', object });
  return object.spec as Record<string, any>;
}

describe('ServiceAccount admission', () => {
  it('defaults the account and mounts token, CA and namespace in every container, as kube does', async () => {
    const spec = await admit({ initContainers: [{ name: 'init' }], containers: [{ name: 'a' }, { name: 'b', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', emptyDir: {} }] });
    expect(spec.serviceAccountName).toBe('default');
    const volume = spec.volumes[1];
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    const mount = { name: volume.name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
    expect(spec.initContainers[0].volumeMounts).toEqual([mount]);
    expect(spec.containers[0].volumeMounts).toEqual([mount]);
    expect(spec.containers[1].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, mount]);
  });

  it('respects automountServiceAccountToken: false on the pod or its account, and the pod over the account', async () => {
    expect((await admit({ automountServiceAccountToken: false, containers: [{ name: 'a' }] })).volumes).toBeUndefined();
    expect((await admit({ serviceAccountName: 'quiet', containers: [{ name: 'a' }] })).volumes).toBeUndefined();
    expect((await admit({ serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [{ name: 'a' }] })).volumes).toHaveLength(1);
  });

  it('leaves a container that mounts something at the path alone', async () => {
    const spec = await admit({ containers: [{ name: 'a', volumeMounts: [{ name: 'own', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] }], volumes: [{ name: 'own', emptyDir: {} }] });
    expect(spec.volumes).toHaveLength(1);
  });

  it('refuses a pod whose account does not exist with 403, as kube does, looking `default` up again a few times first', async () => {
    lookups.length = 0;
    await expect(admit({ serviceAccountName: 'ghost', containers: [{ name: 'a' }] })).rejects.toMatchObject({
      code: 403,
      message: 'pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found',
    });
    expect(lookups).toEqual(['ns/ghost']);
    lookups.length = 0;
    await expect(admit({ containers: [{ name: 'a' }] }, 'empty')).rejects.toMatchObject({
      code: 403,
      message: 'pods "p" is forbidden: error looking up service account empty/default: serviceaccount "default" not found',
    });
    expect(lookups).toEqual(['empty/default', 'empty/default', 'empty/default']);
  });

  it('admits a pod whose default account appears while it is looked up again', async () => {
    let calls = 0;
    const late = new ServiceAccountAdmission(async () => (++calls < 3 ? undefined : { metadata: { name: 'default' } }), { retryMs: 1 });
    const object = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }] } as Record<string, any> };
    await late.admit({ operation: 'CREATE', def: POD_DEF, namespace: 'new', name: 'p', subresource: '', object });
    expect(calls).toBe(3);
    expect(object.spec.volumes[0].name).toMatch(/^kube-api-access-/);
  });

  it('touches nothing but pod creation', async () => {
    const object = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }] } };
    await plugin.admit({ operation: 'UPDATE', def: POD_DEF, namespace: 'ns', name: 'p', subresource: '', object });
    await plugin.admit({ operation: 'CREATE', def: POD_DEF, namespace: 'ns', name: 'p', subresource: 'status', object });
    expect(object.spec).toEqual({ containers: [{ name: 'a' }] });
  });
});
