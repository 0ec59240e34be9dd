import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '@logbook/api';
import {
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  nodeUnschedulable,
  runFilters,
  taintToleration,
  toleratesTaint,
} from './filters';
import { NodeInfo } from './node-info';

const node = (name: string, extra: { labels?: Record<string, string>; allocatable?: Record<string, string>; spec?: Node['spec']; ready?: 'True' | 'False' | 'Unknown' | null } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
  spec: extra.spec ?? {},
  status: {
    allocatable: extra.allocatable ?? { cpu: '4', memory: '16Gi', pods: '110' },
    conditions: extra.ready === null ? [] : [{ type: 'Ready', status: extra.ready ?? 'True' }],
  },
});

let uid = 0;
const pod = (spec: Partial<Pod['spec']> = {}, requests?: Record<string, string>): Pod => ({
  metadata: { name: `p${++uid}`, namespace: 'default', uid: `uid-${uid}` },
  spec: { containers: [{ name: 'c', image: 'x', ...(requests ? { resources: { requests } } : {}) }], ...spec },
});

const info = (n: Node, ...pods: Pod[]) => {
  const i = new NodeInfo(n);
  pods.forEach((p) => i.addPod({ ...p, spec: { ...p.spec!, nodeName: n.metadata!.name } }));
  return i;
};

describe('NodeUnschedulable', () => {
  it('rejects a cordoned node unless the pod tolerates node.kubernetes.io/unschedulable', () => {
    const cordoned = info(node('n', { spec: { unschedulable: true } }));
    expect(nodeUnschedulable.filter(pod(), cordoned)).toEqual(['node(s) were unschedulable']);
    expect(nodeUnschedulable.filter(pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), cordoned)).toEqual([]);
    expect(nodeUnschedulable.filter(pod(), info(node('m')))).toEqual([]);
  });
});

describe('TaintToleration', () => {
  const tainted = info(node('n', { spec: { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] } }));

  it("rejects an untolerated NoSchedule taint, worded as kube-scheduler's", () => {
    expect(taintToleration.filter(pod(), tainted)).toEqual(['node(s) had untolerated taint {dedicated: infra}']);
  });

  it('accepts a pod tolerating it by Equal or Exists, and ignores PreferNoSchedule', () => {
    expect(taintToleration.filter(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] }), tainted)).toEqual([]);
    expect(taintToleration.filter(pod({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), tainted)).toEqual([]);
    expect(taintToleration.filter(pod({ tolerations: [{ operator: 'Exists' }] }), tainted)).toEqual([]);
    expect(taintToleration.filter(pod({ tolerations: [{ key: 'dedicated', value: 'other', effect: 'NoSchedule' }] }), tainted)).toHaveLength(1);
    expect(taintToleration.filter(pod({ tolerations: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }] }), tainted)).toHaveLength(1);
    const soft = info(node('s', { spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } }));
    expect(taintToleration.filter(pod(), soft)).toEqual([]);
  });

  it('treats NoExecute like NoSchedule', () => {
    const n = info(node('n', { spec: { taints: [{ key: 'evict', effect: 'NoExecute' }] } }));
    expect(taintToleration.filter(pod(), n)).toEqual(['node(s) had untolerated taint {evict: }']);
  });

  it('keeps pods off NotReady nodes (the not-ready/unreachable taints), unless tolerated', () => {
    expect(taintToleration.filter(pod(), info(node('n', { ready: 'False' })))).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    expect(taintToleration.filter(pod(), info(node('n', { ready: 'Unknown' })))).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    expect(taintToleration.filter(pod(), info(node('n', { ready: null })))).toHaveLength(1);
    expect(taintToleration.filter(pod({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }), info(node('n', { ready: 'False' })))).toEqual([]);
  });

  it('matches tolerations to taints as Kubernetes does', () => {
    expect(toleratesTaint({ key: 'a', operator: 'Equal', value: '' }, { key: 'a', effect: 'NoSchedule' })).toBe(true);
    expect(toleratesTaint({ key: '', operator: 'Equal' }, { key: 'a', effect: 'NoSchedule' })).toBe(false);
  });
});

describe('NodeAffinity', () => {
  const gpu = node('gpu', { labels: { gpu: 'true', cores: '16', zone: 'a' } });
  const plain = node('plain', { labels: { cores: '4' } });
  const fits = (p: Pod, n: Node) => nodeAffinity.filter(p, info(n)).length === 0;

  it('needs every nodeSelector label', () => {
    expect(fits(pod({ nodeSelector: { gpu: 'true' } }), gpu)).toBe(true);
    expect(fits(pod({ nodeSelector: { gpu: 'true' } }), plain)).toBe(false);
    expect(nodeAffinity.filter(pod({ nodeSelector: { gpu: 'true' } }), info(plain))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });

  it('supports In, NotIn, Exists, DoesNotExist, Gt and Lt in required terms', () => {
    const req = (...matchExpressions: NodeSelectorRequirement[]) =>
      pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } } });
    expect(fits(req({ key: 'zone', operator: 'In', values: ['a', 'b'] }), gpu)).toBe(true);
    expect(fits(req({ key: 'zone', operator: 'In', values: ['b'] }), gpu)).toBe(false);
    expect(fits(req({ key: 'zone', operator: 'NotIn', values: ['a'] }), gpu)).toBe(false);
    expect(fits(req({ key: 'zone', operator: 'NotIn', values: ['a'] }), plain)).toBe(true);
    expect(fits(req({ key: 'gpu', operator: 'Exists' }), gpu)).toBe(true);
    expect(fits(req({ key: 'gpu', operator: 'Exists' }), plain)).toBe(false);
    expect(fits(req({ key: 'gpu', operator: 'DoesNotExist' }), plain)).toBe(true);
    expect(fits(req({ key: 'cores', operator: 'Gt', values: ['8'] }), gpu)).toBe(true);
    expect(fits(req({ key: 'cores', operator: 'Gt', values: ['8'] }), plain)).toBe(false);
    expect(fits(req({ key: 'cores', operator: 'Lt', values: ['8'] }), plain)).toBe(true);
    expect(fits(req({ key: 'zone', operator: 'Gt', values: ['1'] }), gpu)).toBe(false);
  });

  it('ORs terms, ANDs expressions, and combines with nodeSelector', () => {
    const terms = (...nodeSelectorTerms: NodeSelectorTerm[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } });
    const either = pod(terms({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { matchExpressions: [{ key: 'cores', operator: 'In', values: ['4'] }] }));
    expect(fits(either, gpu)).toBe(true);
    expect(fits(either, plain)).toBe(true);
    const both = pod(terms({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }, { key: 'zone', operator: 'In', values: ['b'] }] }));
    expect(fits(both, gpu)).toBe(false);
    expect(fits(pod({ nodeSelector: { gpu: 'true' }, ...terms({ matchExpressions: [{ key: 'cores', operator: 'In', values: ['4'] }] }) }), gpu)).toBe(false);
    expect(fits(pod(terms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['plain'] }] })), plain)).toBe(true);
    expect(fits(pod(terms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['plain'] }] })), gpu)).toBe(false);
    expect(fits(pod(terms({})), gpu)).toBe(false);
  });
});

describe('NodeResourcesFit', () => {
  const small = node('small', { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } });

  it('fits requests against allocatable minus what the pods on the node request', () => {
    expect(nodeResourcesFit.filter(pod({}, { cpu: '1500m', memory: '1Gi' }), info(small))).toEqual([]);
    const busy = info(small, pod({}, { cpu: '1', memory: '3Gi' }));
    expect(nodeResourcesFit.filter(pod({}, { cpu: '1' }), busy)).toEqual([]);
    expect(nodeResourcesFit.filter(pod({}, { cpu: '1001m' }), busy)).toEqual(['Insufficient cpu']);
    expect(nodeResourcesFit.filter(pod({}, { cpu: '2', memory: '2Gi' }), busy)).toEqual(['Insufficient cpu', 'Insufficient memory']);
  });

  it('counts pods against the pods capacity, and extended resources the node lacks', () => {
    expect(nodeResourcesFit.filter(pod(), info(small, pod(), pod(), pod()))).toEqual(['Too many pods']);
    expect(nodeResourcesFit.filter(pod({}, { 'nvidia.com/gpu': '1' }), info(small))).toEqual(['Insufficient nvidia.com/gpu']);
  });

  it('takes the largest init container if it asks for more than the containers together', () => {
    const p = pod({ initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '3' } } }] }, { cpu: '100m' });
    expect(nodeResourcesFit.filter(p, info(small))).toEqual(['Insufficient cpu']);
  });

  it('frees what a removed pod requested', () => {
    const p = pod({}, { cpu: '2' });
    const i = info(small, p);
    expect(nodeResourcesFit.filter(pod({}, { cpu: '1' }), i)).toEqual(['Insufficient cpu']);
    i.removePod(p.metadata!.uid!);
    expect(nodeResourcesFit.filter(pod({}, { cpu: '1' }), i)).toEqual([]);
  });
});

describe('NodePorts', () => {
  it('rejects a node where the host port is taken', () => {
    const withPort = (hostPort: number, hostIP?: string) => pod({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, hostIP }] }] });
    const n = info(node('n'), withPort(8080));
    expect(nodePorts.filter(withPort(8080), n)).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    expect(nodePorts.filter(withPort(8080, '10.0.0.1'), n)).toHaveLength(1);
    expect(nodePorts.filter(withPort(8081), n)).toEqual([]);
  });
});

describe('runFilters', () => {
  it('reports the first failing filter only, in kube-scheduler order', () => {
    const n = node('n', { spec: { unschedulable: true }, labels: {} });
    expect(runFilters(pod({ nodeSelector: { gpu: 'true' } }, { cpu: '100' }), info(n))).toEqual(['node(s) were unschedulable']);
    expect(runFilters(pod({ nodeSelector: { gpu: 'true' } }, { cpu: '100' }), info(node('m')))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });
});
