import * as machinery from '@logbook/machinery';

describe('@logbook/machinery public face', () => {
  it('resolves through the path alias and exposes one entry point per idea', () => {
    expect(machinery.parseLabelSelector('app=web').matches({ app: 'web' })).toBe(true);
    expect(machinery.parseFieldSelector('metadata.name=x').requirements).toHaveLength(1);
    expect(machinery.notFound('pods', 'x').toStatus().message).toBe('pods "x" not found');
    expect(machinery.isNotFound(machinery.notFound('pods', 'x'))).toBe(true);
    expect(machinery.fieldErrorToString(machinery.invalidField(machinery.fieldPath('spec', 'replicas'), -1, 'bad'))).toBe(
      'spec.replicas: Invalid value: -1: bad',
    );
    expect(machinery.applyMergePatch({ a: 1 }, { a: null })).toEqual({});
    expect(machinery.normalizeQuantity('1.5Gi')).toBe('1536Mi');
    expect(machinery.humanDuration(200_000)).toBe('3m20s');
    expect(machinery.builtinSchemaFor('apps/v1', 'Deployment')).toBeDefined();
    expect(typeof machinery.applyConfiguration).toBe('function');
  });
});
