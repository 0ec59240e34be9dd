import {
  aggregateMessages,
  duplicate,
  fieldErrorBody,
  fieldErrorsToString,
  fieldErrorToString,
  forbidden,
  internalFieldError,
  invalid,
  notFoundField,
  notSupported,
  OMIT_VALUE,
  required,
  tooFew,
  tooLong,
  tooLongCharacters,
  tooMany,
  tooShort,
  typeInvalid,
} from './field-errors';
import { fieldPath, FieldPath } from './field-path';

describe('FieldPath', () => {
  it('renders fields, indexes and keys like field.Path', () => {
    expect(fieldPath('spec', 'containers', 0, 'ports', 1, 'containerPort').toString()).toBe(
      'spec.containers[0].ports[1].containerPort',
    );
    expect(FieldPath.root('metadata').child('labels').key('app').toString()).toBe('metadata.labels[app]');
    expect(FieldPath.root('spec', 'template').child('spec', 'volumes').index(2).toString()).toBe('spec.template.spec.volumes[2]');
  });

  it('is immutable', () => {
    const base = FieldPath.root('spec');
    base.child('a');
    expect(base.toString()).toBe('spec');
  });
});

describe('field errors', () => {
  const replicas = fieldPath('spec', 'replicas');

  it('render like field.Error', () => {
    expect(fieldErrorToString(invalid(replicas, -1, 'must be greater than or equal to 0'))).toBe(
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(fieldErrorToString(required(fieldPath('spec', 'containers', 0, 'name')))).toBe(
      'spec.containers[0].name: Required value',
    );
    expect(fieldErrorToString(required('metadata.name', 'name or generateName is required'))).toBe(
      'metadata.name: Required value: name or generateName is required',
    );
    expect(fieldErrorToString(notSupported('spec.restartPolicy', 'X', ['A', 'B']))).toBe(
      'spec.restartPolicy: Unsupported value: "X": supported values: "A", "B"',
    );
    expect(fieldErrorBody(notSupported('p', 'X', []))).toBe('Unsupported value: "X"');
    expect(fieldErrorToString(duplicate('spec.ports[1]', { port: 80 }))).toBe('spec.ports[1]: Duplicate value: {"port":80}');
    expect(fieldErrorToString(forbidden('spec.nodeName', 'may not be set'))).toBe('spec.nodeName: Forbidden: may not be set');
    expect(fieldErrorToString(tooLong('metadata.annotations', 262144))).toBe(
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    );
    expect(fieldErrorBody(tooLong('x', 1))).toBe('Too long: may not be more than 1 byte');
    expect(fieldErrorBody(tooLongCharacters('x', 10))).toBe('Too long: may not be more than 10 characters');
    expect(fieldErrorBody(tooShort('x', 'ab', 3))).toBe('Too short: must be at least 3 characters');
    expect(fieldErrorBody(tooMany('x', 5, 3))).toBe('Too many: 5: must have at most 3 items');
    expect(fieldErrorBody(tooMany('x', -1, 1))).toBe('Too many: must have at most 1 item');
    expect(fieldErrorBody(tooFew('x', 1, 2))).toBe('Too few: 1: must have at least 2 items');
    expect(fieldErrorBody(notFoundField('x', 'y'))).toBe('Not found: "y"');
    expect(fieldErrorBody(typeInvalid('x', true, 'must be a string'))).toBe('Invalid value: true: must be a string');
    expect(fieldErrorBody(invalid('x', OMIT_VALUE, 'bad'))).toBe('Invalid value: bad');
    expect(fieldErrorBody(invalid('x', null, 'bad'))).toBe('Invalid value: null: bad');
    expect(fieldErrorBody(invalid('x', ['b', 'a'], 'bad'))).toBe('Invalid value: ["b","a"]: bad');
    expect(fieldErrorBody(invalid('x', { b: 1, a: 2 }, 'bad'))).toBe('Invalid value: {"a":2,"b":1}: bad');
    expect(fieldErrorBody(invalid('x', 'say "hi"\n', 'bad'))).toBe('Invalid value: "say \\"hi\\"\\n": bad');
    expect(fieldErrorBody(internalFieldError('x', new Error('boom')))).toBe('Internal error: boom');
  });

  it('keeps the type as the cause reason', () => {
    expect(invalid(replicas, -1, 'x')).toMatchObject({ type: 'FieldValueInvalid', field: 'spec.replicas' });
  });

  it('aggregates like utilerrors.NewAggregate', () => {
    expect(aggregateMessages(['a'])).toBe('a');
    expect(aggregateMessages(['a', 'b', 'a'])).toBe('[a, b]');
    expect(aggregateMessages(['a', 'a'])).toBe('a');
    expect(fieldErrorsToString([required('a'), required('b')])).toBe('[a: Required value, b: Required value]');
  });
});
