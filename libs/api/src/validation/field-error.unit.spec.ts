import {
  aggregateMessage,
  duplicate,
  errorBody,
  forbidden,
  goQuote,
  immutable,
  invalid,
  notSupported,
  printed,
  required,
  tooLong,
  typeInvalid,
} from './field-error';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from './names';

describe('field errors render like field.Error', () => {
  it('renders each type as Kubernetes does', () => {
    expect(required('spec.containers[0].name').message).toBe('spec.containers[0].name: Required value');
    expect(required('metadata.name', 'name or generateName is required').message).toBe(
      'metadata.name: Required value: name or generateName is required',
    );
    expect(invalid('spec.replicas', -1, 'must be greater than or equal to 0').message).toBe(
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(invalid('spec.template.metadata.labels', { app: 'x', tier: 'b"e' }, '`selector` does not match template `labels`').message).toBe(
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x", "tier":"b\\"e"}: `selector` does not match template `labels`',
    );
    expect(notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never']).message).toBe(
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
    expect(duplicate('spec.containers[1].name', 'web').message).toBe('spec.containers[1].name: Duplicate value: "web"');
    expect(forbidden('spec', 'nope').message).toBe('spec: Forbidden: nope');
    expect(tooLong('metadata.annotations', 262144).message).toBe('metadata.annotations: Too long: must have at most 262144 bytes');
    expect(typeInvalid('spec.replicas', '3', 'must be of type integer').message).toBe('spec.replicas: Invalid value: "3": must be of type integer');
    expect(immutable('spec.clusterIP', '10.0.0.1').message).toBe('spec.clusterIP: Invalid value: "10.0.0.1": field is immutable');
    expect(invalid('spec.x', null, 'bad').message).toBe('spec.x: Invalid value: null: bad');
    expect(invalid('spec.x', ['a', 'b'], 'bad').message).toBe('spec.x: Invalid value: []string{"a", "b"}: bad');
    expect(invalid('spec.strategy.rollingUpdate.maxSurge', printed('25%'), 'x').message).toBe('spec.strategy.rollingUpdate.maxSurge: Invalid value: 25%: x');
  });

  it('keeps the structured parts for Status causes', () => {
    expect(notSupported('spec.type', 'Foo', ['A'])).toEqual({
      type: 'FieldValueNotSupported',
      field: 'spec.type',
      value: 'Foo',
      detail: 'supported values: "A"',
      message: 'spec.type: Unsupported value: "Foo": supported values: "A"',
    });
    expect(required('spec.x')).toEqual({ type: 'FieldValueRequired', field: 'spec.x', message: 'spec.x: Required value' });
    expect(errorBody('FieldValueInvalid', 'x', 'bad')).toBe('Invalid value: "x": bad');
    expect(invalid('a', printed('25%', '25%')).value).toBe('25%');
  });

  it('quotes like Go and aggregates like utilerrors', () => {
    expect(goQuote('a\nb\t"c"\u0001')).toBe('"a\\nb\\t\\"c\\"\\x01"');
    expect(aggregateMessage([required('a'), required('a'), required('b')])).toBe('[a: Required value, b: Required value]');
    expect(aggregateMessage([required('a')])).toBe('a: Required value');
  });
});

describe('name and format checks keep Kubernetes wording', () => {
  it('DNS-1123 subdomain, label and DNS-1035 label', () => {
    expect(isDNS1123Subdomain('Bad_Name')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('x'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isDNS1123Label('Web')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1035Label('1svc')).toEqual([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Subdomain('kubia.example.com')).toEqual([]);
    expect(nameIsDNSSubdomain('kubia-', true)).toEqual([]);
  });

  it('qualified names, label values, port names, config keys, env names', () => {
    expect(isQualifiedName('example.com/app')).toEqual([]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('/x')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('Bad Prefix/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isValidLabelValue('env_exists')).toEqual([]);
    expect(isValidLabelValue('-bad')[0]).toMatch(/^a valid label must be an empty string or consist of/);
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isConfigMapKey('my-nginx-config.conf')).toEqual([]);
    expect(isConfigMapKey('a/b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
    expect(isEnvVarName('NESTED_VAR')).toEqual([]);
    expect(isEnvVarName('1-starts.with digit')).toEqual([]);
    expect(isEnvVarName('A=B')).toEqual(["a valid environment variable name must consist only of printable ASCII characters other than '='"]);
  });
});
