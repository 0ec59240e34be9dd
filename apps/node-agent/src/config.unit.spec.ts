import { nodeAgentOptionsFromEnv, parseTaints } from './config';

describe('node agent settings from the environment', () => {
  it('defaults to one node, node-1, on the process runtime', () => {
    const o = nodeAgentOptionsFromEnv({});
    expect(o.runtime.kind).toBe('process');
    expect(o.nodes).toEqual([{ name: 'node-1' }]);
    expect(o.firstNodeIndex).toBe(1);
  });

  it('runs N simulated nodes named node-1..N, or the names given', () => {
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '3' }).nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: 'a, b' }).nodes.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('gives every node the labels, taints and capacity configured', () => {
    const o = nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_NODE_LABELS: 'gpu=true,disk=ssd', LOGBOOK_NODE_TAINTS: 'dedicated=ml:NoSchedule', LOGBOOK_NODE_CPU: '8' });
    expect(o.nodes[0]).toEqual({ name: 'node-1', labels: { gpu: 'true', disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }], capacity: { cpu: '8' } });
  });

  it('takes whole node configs from LOGBOOK_NODES, merged with the common labels', () => {
    const o = nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_NODE_LABELS: 'env=test', LOGBOOK_NODES: '[{"name":"n1"},{"name":"n2","labels":{"gpu":"true"}}]' });
    expect(o.nodes).toEqual([
      { name: 'n1', labels: { env: 'test' } },
      { name: 'n2', labels: { env: 'test', gpu: 'true' } },
    ]);
  });

  it('reads the simulated timings', () => {
    const o = nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_START_DELAY_MS: '0-20', LOGBOOK_SIMULATED_RUN_MS: '250' });
    expect(o.runtime.simulated).toEqual({ startDelayMs: [0, 20], runMs: 250 });
  });

  it('turns kubelet events off on request', () => {
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_KUBELET_EVENTS: 'false' }).kubelet).toEqual({ recordEvents: false });
    expect(nodeAgentOptionsFromEnv({}).kubelet).toBeUndefined();
  });

  it('runs the service proxy with the process runtime, or when asked', () => {
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'process' }).proxy).toEqual({ nodePortAddress: undefined, clusterIPInterface: undefined });
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated' }).proxy).toBeUndefined();
    expect(nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_PROXY: 'true', LOGBOOK_PROXY_NODEPORT_ADDRESS: '127.0.0.1', LOGBOOK_PROXY_INTERFACE: 'none' }).proxy).toEqual({
      nodePortAddress: '127.0.0.1',
      clusterIPInterface: false,
    });
  });

  it('says what is wrong with a bad value', () => {
    expect(() => nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'docker' })).toThrow('LOGBOOK_RUNTIME must be simulated or process, not "docker"');
    expect(() => nodeAgentOptionsFromEnv({ LOGBOOK_NODE_LABELS: 'gpu' })).toThrow('a label must be key=value, not "gpu"');
    expect(() => parseTaints('gpu:Sometimes')).toThrow('a taint must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute, not "gpu:Sometimes"');
    expect(() => nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_START_DELAY_MS: 'fast' })).toThrow('LOGBOOK_SIMULATED_START_DELAY_MS');
  });
});
