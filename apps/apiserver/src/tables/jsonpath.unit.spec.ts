import { findResults, JSONPathError, parseJSONPath } from './jsonpath';

const obj = {
  metadata: { name: 'db', labels: { 'app.kubernetes.io/name': 'postgres', tier: 'data' } },
  spec: { replicas: 3, paused: false, nested: { a: { b: 1 } }, ports: [{ port: 80 }, { port: 443 }, { port: 8443 }] },
  status: {
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'Pending' },
      { type: 'Synced', status: 'True', observedGeneration: 4 },
    ],
  },
};

const eval_ = (path: string) => findResults(parseJSONPath(path), obj);

describe('jsonpath (client-go dialect)', () => {
  it('fields, with or without braces', () => {
    expect(eval_('.spec.replicas')).toEqual([3]);
    expect(eval_('{.metadata.name}')).toEqual(['db']);
    expect(eval_('.spec.nested')).toEqual([{ a: { b: 1 } }]);
    expect(eval_('.spec.paused')).toEqual([false]);
  });

  it('missing keys give no result rather than an error', () => {
    expect(eval_('.spec.missing.deeper')).toEqual([]);
    expect(eval_('.status.conditions[?(@.type=="Absent")].status')).toEqual([]);
  });

  it('escaped dots and quoted keys', () => {
    expect(eval_('.metadata.labels.app\\.kubernetes\\.io/name')).toEqual(['postgres']);
    expect(eval_(".metadata.labels['tier']")).toEqual(['data']);
  });

  it('indexes, negative indexes, slices, wildcards, unions', () => {
    expect(eval_('.spec.ports[0].port')).toEqual([80]);
    expect(eval_('.spec.ports[-1].port')).toEqual([8443]);
    expect(eval_('.spec.ports[1:].port')).toEqual([443, 8443]);
    expect(eval_('.spec.ports[*].port')).toEqual([80, 443, 8443]);
    expect(eval_('.spec.ports[0,2].port')).toEqual([80, 8443]);
    expect(eval_('.metadata.labels.*').sort()).toEqual(['data', 'postgres']);
    expect(() => eval_('.spec.ports[5].port')).toThrow(JSONPathError);
  });

  it('filters', () => {
    expect(eval_('.status.conditions[?(@.type=="Ready")].status')).toEqual(['False']);
    expect(eval_(".status.conditions[?(@.type=='Ready')].reason")).toEqual(['Pending']);
    expect(eval_('.status.conditions[?(@.status!="True")].type')).toEqual(['Ready']);
    expect(eval_('.spec.ports[?(@.port>100)].port')).toEqual([443, 8443]);
    expect(eval_('.spec.ports[?(@.port<=443)].port')).toEqual([80, 443]);
    expect(eval_('.status.conditions[?(@.observedGeneration)].type')).toEqual(['Synced']);
  });

  it('a filter comparing a missing field fails as a whole, like client-go', () => {
    expect(() => eval_('.status.conditions[?(@.reason=="Pending")].type')).toThrow(JSONPathError);
  });

  it('recursive descent', () => {
    expect(eval_('..port')).toEqual([80, 443, 8443]);
    expect(eval_('.spec..b')).toEqual([1]);
  });

  it('rejects invalid syntax', () => {
    expect(() => parseJSONPath('.spec.ports[abc]')).toThrow(JSONPathError);
    expect(() => parseJSONPath('.status.conditions[?(@.type=="Ready"]')).toThrow(JSONPathError);
    expect(() => parseJSONPath('.spec.ports[0')).toThrow(JSONPathError);
    expect(() => parseJSONPath('.a # b')).toThrow(JSONPathError);
  });
});
