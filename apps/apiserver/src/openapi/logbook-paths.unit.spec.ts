import { createDefaultScheme } from '@logbook/api';
import { JSONSchema } from './definitions';
import { openApiV2Document, openApiV3Document, openApiV3Root } from './documents';

type Doc = { paths: Record<string, Record<string, JSONSchema>> };
const schemaOf = (doc: Doc, path: string, code = '200') => ((doc.paths[path].get.responses as Record<string, JSONSchema>)[code].content as Record<string, { schema: JSONSchema }>)['application/json'].schema;

describe('logbook.io/v1 in the OpenAPI documents', () => {
  const scheme = createDefaultScheme();

  it('is listed in /openapi/v3 and has a document of its own, read-only', () => {
    expect(openApiV3Root(scheme).paths['apis/logbook.io/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/logbook\.io\/v1\?hash=[0-9A-F]{128}$/);
    const doc = openApiV3Document(scheme, 'apis/logbook.io/v1')! as unknown as Doc;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/apis/logbook.io/v1/history',
        '/apis/logbook.io/v1/namespaces/{namespace}/history',
        '/apis/logbook.io/v1/namespaces/{namespace}/history/{name}',
        '/apis/logbook.io/v1/explain/{resourceVersion}',
        '/apis/logbook.io/v1/namespaces/{namespace}/timeline',
        '/apis/logbook.io/v1/namespaces/{namespace}/diff',
        '/apis/logbook.io/v1/audit',
        '/apis/logbook.io/v1/compactions',
        '/apis/logbook.io/v1/asof/{point}/{path}',
      ]),
    );
    for (const item of Object.values(doc.paths)) expect(Object.keys(item)).toEqual(['get']);
    const params = (doc.paths['/apis/logbook.io/v1/namespaces/{namespace}/history'].get.parameters as JSONSchema[]).map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['namespace', 'resource', 'name', 'uid', 'actor', 'verb', 'since', 'until', 'fromResourceVersion', 'toResourceVersion', 'labelSelector', 'limit', 'continue', 'watch']));
  });

  it('describes the answers with schemas generated from the logbookV1 types of libs/api', () => {
    const doc = openApiV3Document(scheme, 'apis/logbook.io/v1')! as unknown as Doc & { components: { schemas: Record<string, JSONSchema> } };
    expect(schemaOf(doc, '/apis/logbook.io/v1/history')).toEqual({ $ref: '#/components/schemas/io.logbook.v1.HistoryEventList' });
    expect(schemaOf(doc, '/apis/logbook.io/v1/explain/{resourceVersion}')).toEqual({ $ref: '#/components/schemas/io.logbook.v1.Explanation' });
    const event = doc.components.schemas['io.logbook.v1.HistoryEvent'];
    expect(event.required).toEqual(expect.arrayContaining(['seq', 'time', 'type', 'objectRef', 'actor', 'verb', 'change']));
    const props = event.properties as Record<string, JSONSchema>;
    expect(props.type.enum).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(JSON.stringify(props.metadata)).toContain('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(JSON.stringify(props.actor)).toContain('io.logbook.v1.HistoryActor');
    const actor = doc.components.schemas['io.logbook.v1.HistoryActor'];
    expect((actor.properties as Record<string, JSONSchema>).groups).toMatchObject({ type: 'array', items: { type: 'string' } });
    // Every reference resolves inside the document.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[\w.-]+/g)!;
    for (const r of refs) expect(doc.components.schemas[r.slice('#/components/schemas/'.length)]).toBeDefined();
  });

  it('is in /openapi/v2 too, with Swagger references', () => {
    const v2 = openApiV2Document(scheme);
    const op = v2.paths['/apis/logbook.io/v1/namespaces/{namespace}/timeline'].get as JSONSchema;
    expect((op.responses as Record<string, JSONSchema>)['200'].schema).toEqual({ $ref: '#/definitions/io.logbook.v1.Timeline' });
    expect(v2.definitions['io.logbook.v1.TimelineEntry']).toBeDefined();
  });
});
