import { escapeFieldValue, FieldSelector, FieldSelectorError, parseFieldSelector, unescapeFieldValue } from './field-selector';
import {
  compileFieldSelector,
  defaultFieldExtractor,
  fieldExtractorFromPaths,
  matchesFieldSelector,
  selectableFieldsFor,
} from './selectable-fields';

describe('parseFieldSelector', () => {
  it('parses =, == and != terms and sorts them', () => {
    const sel = parseFieldSelector('status.phase!=Running,metadata.name==x,spec.nodeName=n1');
    expect(sel.requirements).toEqual([
      { field: 'metadata.name', operator: '==', value: 'x' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
      { field: 'status.phase', operator: '!=', value: 'Running' },
    ]);
    expect(sel.toString()).toBe('metadata.name=x,spec.nodeName=n1,status.phase!=Running');
  });

  it('is empty for an empty string and skips empty terms', () => {
    expect(parseFieldSelector('').isEmpty()).toBe(true);
    expect(parseFieldSelector('a=b,,').requirements).toHaveLength(1);
  });

  it('allows an empty value', () => {
    const sel = parseFieldSelector('spec.nodeName=');
    expect(sel.matchesFields({ 'spec.nodeName': '' })).toBe(true);
    expect(sel.matchesFields({})).toBe(true);
    expect(sel.matchesFields({ 'spec.nodeName': 'n1' })).toBe(false);
  });

  it('unescapes values and splits only on unescaped commas', () => {
    const sel = parseFieldSelector('a=x\\,y\\=z\\\\,b!=1');
    expect(sel.requirements).toEqual([
      { field: 'a', operator: '=', value: 'x,y=z\\' },
      { field: 'b', operator: '!=', value: '1' },
    ]);
    expect(sel.toString()).toBe('a=x\\,y\\=z\\\\,b!=1');
  });

  it.each([
    ['abc', "invalid selector: 'abc'; can't understand 'abc'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
  ])('rejects %j', (input, message) => {
    expect(() => parseFieldSelector(input)).toThrow(new FieldSelectorError(message));
  });

  it('takes the first operator in the term', () => {
    expect(parseFieldSelector('a!=b').requirements[0]).toEqual({ field: 'a', operator: '!=', value: 'b' });
    expect(parseFieldSelector('a==b').requirements[0]).toEqual({ field: 'a', operator: '==', value: 'b' });
  });

  it('escapes and unescapes symmetrically', () => {
    const raw = 'a,b=c\\d';
    expect(unescapeFieldValue(escapeFieldValue(raw))).toBe(raw);
  });

  it('FieldSelector.fromSet and requiresExactMatch', () => {
    const sel = FieldSelector.fromSet({ 'metadata.name': 'x' });
    expect(sel.requiresExactMatch('metadata.name')).toBe('x');
    expect(parseFieldSelector('metadata.name!=x').requiresExactMatch('metadata.name')).toBeUndefined();
  });
});

describe('field extractors', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'prod' },
    spec: { nodeName: 'n1', hostNetwork: true, restartPolicy: 'Always' },
    status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }], podIP: '10.0.0.7' },
  };

  it('the default extractor reads metadata and any dotted path', () => {
    expect(matchesFieldSelector(pod, 'metadata.name=web-1,metadata.namespace=prod', defaultFieldExtractor)).toBe(true);
    expect(matchesFieldSelector(pod, 'status.phase=Running')).toBe(true);
    expect(matchesFieldSelector(pod, 'spec.hostNetwork=true')).toBe(true);
    expect(matchesFieldSelector(pod, 'spec.schedulerName=')).toBe(true);
    expect(matchesFieldSelector(pod, 'status.phase!=Running')).toBe(false);
  });

  it('the default extractor rejects malformed paths', () => {
    expect(() => compileFieldSelector('a..b=c')).toThrow(new FieldSelectorError('field label not supported: a..b'));
  });

  it("pods select Kubernetes' pod fields and nothing else", () => {
    const pods = selectableFieldsFor('pods');
    expect(matchesFieldSelector(pod, 'spec.nodeName=n1,status.podIP=10.0.0.7', pods)).toBe(true);
    expect(matchesFieldSelector(pod, 'spec.hostNetwork=true', pods)).toBe(true);
    expect(matchesFieldSelector({ spec: {} }, 'spec.hostNetwork=false', pods)).toBe(true);
    expect(() => compileFieldSelector('spec.containers=x', pods)).toThrow('field label not supported: spec.containers');
  });

  it('events select involvedObject fields, source falling back to reportingComponent', () => {
    const events = selectableFieldsFor('events');
    const event = { involvedObject: { kind: 'Pod', name: 'web-1', uid: 'u1' }, reportingComponent: 'kubelet' };
    expect(matchesFieldSelector(event, 'involvedObject.name=web-1,involvedObject.kind=Pod', events)).toBe(true);
    expect(matchesFieldSelector(event, 'source=kubelet', events)).toBe(true);
    expect(matchesFieldSelector({ source: { component: 'sched' } }, 'source=sched', events)).toBe(true);
  });

  it('cluster-scoped resources do not select metadata.namespace', () => {
    expect(() => compileFieldSelector('metadata.namespace=x', selectableFieldsFor('nodes'))).toThrow(
      'field label not supported: metadata.namespace',
    );
    expect(matchesFieldSelector({ spec: {} }, 'spec.unschedulable=false', selectableFieldsFor('nodes'))).toBe(true);
    expect(() => compileFieldSelector('metadata.namespace=x', selectableFieldsFor('clusterroles', 'rbac.authorization.k8s.io', false))).toThrow();
  });

  it('grouped resources are looked up by resource.group', () => {
    const rs = selectableFieldsFor('replicasets', 'apps');
    expect(matchesFieldSelector({ status: { replicas: 3 } }, 'status.replicas=3', rs)).toBe(true);
    expect(matchesFieldSelector({ status: {} }, 'status.replicas=0', rs)).toBe(true);
    expect(() => compileFieldSelector('status.replicas=3', selectableFieldsFor('deployments', 'apps'))).toThrow(
      'field label not supported: status.replicas',
    );
  });

  it('fieldExtractorFromPaths serves CRD selectableFields', () => {
    const ex = fieldExtractorFromPaths(['spec.color']);
    expect(matchesFieldSelector({ spec: { color: 'red' } }, 'spec.color=red', ex)).toBe(true);
    expect(() => compileFieldSelector('spec.size=1', ex)).toThrow('field label not supported: spec.size');
  });
});
