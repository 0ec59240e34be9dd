import { parseRequestInfo } from './request-info';

const info = (method: string, path: string) => parseRequestInfo(method, new URL(path, 'http://x'));

describe('parseRequestInfo', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods?watch=true', { verb: 'watch', resource: 'pods', namespace: 'default' }],
    ['GET', '/api/v1/namespaces/default/pods/p1', { verb: 'get', resource: 'pods', name: 'p1' }],
    ['GET', '/api/v1/namespaces/default/pods/p1/log', { verb: 'get', resource: 'pods', name: 'p1', subresource: 'log' }],
    ['PUT', '/apis/apps/v1/namespaces/ns/deployments/d/scale', { verb: 'update', group: 'apps', resource: 'deployments', name: 'd', subresource: 'scale' }],
    ['DELETE', '/api/v1/namespaces/default/configmaps', { verb: 'deletecollection', resource: 'configmaps' }],
    ['POST', '/api/v1/namespaces', { verb: 'create', resource: 'namespaces', namespace: '' }],
    ['GET', '/api/v1/namespaces/kube-system', { verb: 'get', resource: 'namespaces', name: 'kube-system' }],
    ['PUT', '/api/v1/namespaces/x/finalize', { verb: 'update', resource: 'namespaces', name: 'x', subresource: 'finalize' }],
    ['GET', '/api/v1/nodes', { verb: 'list', resource: 'nodes', namespace: '' }],
    ['GET', '/apis/apps/v1/deployments', { verb: 'list', group: 'apps', resource: 'deployments', namespace: '' }],
    ['GET', '/api/v1/watch/namespaces/default/pods', { verb: 'watch', resource: 'pods', namespace: 'default' }],
  ])('%s %s', (method, path, expected) => {
    const got = info(method, path);
    expect(got.isResourceRequest).toBe(true);
    expect(got).toMatchObject(expected);
  });

  it.each(['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3'])('%s is not a resource request', (path) => {
    expect(info('GET', path).isResourceRequest).toBe(false);
  });
});
