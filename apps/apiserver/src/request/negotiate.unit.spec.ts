import { negotiate } from './negotiate';

describe('negotiate', () => {
  it('answers kubectl get with a Table', () => {
    expect(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toEqual({ as: 'Table', version: 'v1' });
  });
  it('answers typed clients asking for protobuf-or-JSON with JSON', () => {
    expect(negotiate('application/vnd.kubernetes.protobuf,application/json')).toEqual({ as: 'object' });
  });
  it('serves PartialObjectMetadata for metadata informers', () => {
    expect(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json')).toEqual({ as: 'PartialObjectMetadata', version: 'v1' });
  });
  it('treats a missing header as JSON', () => expect(negotiate(undefined)).toEqual({ as: 'object' }));
  it('refuses protobuf alone with 406', () => {
    expect(() => negotiate('application/vnd.kubernetes.protobuf')).toThrow(expect.objectContaining({ code: 406 }));
  });
});
