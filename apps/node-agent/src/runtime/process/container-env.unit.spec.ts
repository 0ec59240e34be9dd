import type { ConfigMap, Pod, Secret } from '@logbook/api';
import { commandLine, ConfigSource, ContainerConfigError, containerEnv, expand } from './container-env';

describe('$(VAR) expansion', () => {
  const vars = (name: string) => ({ A: 'x', B: '$(A)' })[name];
  it('replaces defined variables, keeps undefined ones, unescapes $$', () => {
    expect(expand('$(A)_1', vars)).toBe('x_1');
    expect(expand('$(NOPE)/$(A)', vars)).toBe('$(NOPE)/x');
    expect(expand('$$(A) costs $5', vars)).toBe('$(A) costs $5');
    expect(expand('$(B)', vars)).toBe('$(A)');
    expect(expand('unclosed $(A', vars)).toBe('unclosed $(A');
  });
});

/** ConfigMaps and Secrets of a namespace, as a plain map (the API lookup is exercised end to end). */
const source = (configMaps: Record<string, ConfigMap>, secrets: Record<string, Secret> = {}): ConfigSource => ({
  configMap: async (_ns, name) => configMaps[name],
  secret: async (_ns, name) => secrets[name],
});

const pod = (container: Pod['spec'] extends infer S ? (S extends { containers: (infer C)[] } ? C : never) : never): Pod => ({
  metadata: { name: 'downward', namespace: 'default', uid: 'u-1', labels: { app: 'x' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'default', containers: [container] },
});

describe("a container's environment", () => {
  it('takes envFrom (prefixed) first, then env in order with expansion, Downward API and resource fields', async () => {
    const c = {
      name: 'main',
      image: 'busybox',
      resources: { requests: { cpu: '250m' }, limits: { memory: '4Mi' } },
      envFrom: [{ prefix: 'CONF_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' } }],
      env: [
        { name: 'INTERVAL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'sleep-interval' } } },
        { name: 'NESTED', value: '$(INTERVAL)_1' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPU_CORES', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Ki' } } },
        { name: 'NODE_CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'NO_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      ],
    };
    const env = await containerEnv({
      pod: pod(c),
      container: c,
      podIP: '10.244.1.5',
      hostIP: '10.244.1.1',
      allocatable: { cpu: '4', memory: '16Gi' },
      config: source({ cfg: { data: { 'sleep-interval': '25', mode: 'fast', 'bad name': 'skipped' } } }, { sec: { data: { token: Buffer.from('t0k').toString('base64') } } }),
      base: { HOSTNAME: 'downward' },
    });
    expect(env).toEqual({
      HOSTNAME: 'downward',
      'CONF_sleep-interval': '25',
      CONF_mode: 'fast',
      token: 't0k',
      INTERVAL: '25',
      NESTED: '25_1',
      POD: 'downward',
      APP: 'x',
      IP: '10.244.1.5',
      HOST_IP: '10.244.1.1',
      CPU: '250',
      CPU_CORES: '1',
      MEM: '4096',
      NODE_CPU: '4',
      NO_REQ: '0',
    });
  });

  it('fails with CreateContainerConfigError on a missing ConfigMap, key or Secret that is not optional', async () => {
    const ctx = (env: object[]) => {
      const c = { name: 'main', image: 'busybox', env } as never;
      return { pod: pod(c), container: c, allocatable: {}, config: source({ cfg: { data: { a: '1' } } }) };
    };
    await expect(containerEnv(ctx([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a' } } }]))).rejects.toThrow(new ContainerConfigError('configmap "nope" not found'));
    await expect(containerEnv(ctx([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b' } } }]))).rejects.toThrow("couldn't find key b in ConfigMap default/cfg");
    await expect(containerEnv(ctx([{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'b' } } }]))).rejects.toThrow('secret "s" not found');
    expect(await containerEnv(ctx([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a', optional: true } } }]))).toEqual({});
  });
});

describe("a container's command line", () => {
  const image = { entrypoint: ['/bin/fortuneloop.sh'], cmd: ['10'] };
  it('is the image ENTRYPOINT + CMD, args replacing CMD, command replacing both, with $(VAR) expanded', () => {
    expect(commandLine({ name: 'c' }, image, {})).toEqual(['/bin/fortuneloop.sh', '10']);
    expect(commandLine({ name: 'c', args: ['$(INTERVAL)'] }, image, { INTERVAL: '2' })).toEqual(['/bin/fortuneloop.sh', '2']);
    expect(commandLine({ name: 'c', command: ['sleep'] }, image, {})).toEqual(['sleep']);
    expect(commandLine({ name: 'c', command: ['sleep'], args: ['1000'] }, image, {})).toEqual(['sleep', '1000']);
  });
});
