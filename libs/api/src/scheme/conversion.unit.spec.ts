import { createDefaultScheme } from './index';

const scheme = createDefaultScheme();

/** The seed's Ingress (section 5.4), as written for networking.k8s.io/v1beta1. */
const seedIngress = {
  apiVersion: 'networking.k8s.io/v1beta1',
  kind: 'Ingress',
  metadata: { name: 'kubia' },
  spec: {
    rules: [
      {
        host: 'kubia.example.com',
        http: {
          paths: [
            { path: '/kubia', backend: { serviceName: 'kubia-nodeport', servicePort: 80 } },
            { path: '/user', backend: { serviceName: 'user-svc', servicePort: 90 } },
          ],
        },
      },
      { host: 'new.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'gooele', servicePort: 8080 } }] } },
    ],
  },
};

describe('Ingress networking.k8s.io/v1beta1 <-> v1', () => {
  it('converts the seed Ingress to v1 with service backends and ImplementationSpecific paths', () => {
    const v1 = scheme.convert(seedIngress, 'v1');
    expect(v1).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'kubia' },
      spec: {
        rules: [
          {
            host: 'kubia.example.com',
            http: {
              paths: [
                { path: '/kubia', pathType: 'ImplementationSpecific', backend: { service: { name: 'kubia-nodeport', port: { number: 80 } } } },
                { path: '/user', pathType: 'ImplementationSpecific', backend: { service: { name: 'user-svc', port: { number: 90 } } } },
              ],
            },
          },
          {
            host: 'new.example.com',
            http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'gooele', port: { number: 8080 } } } }] },
          },
        ],
      },
    });
    expect(seedIngress.spec.rules[0].http.paths[0].backend).toEqual({ serviceName: 'kubia-nodeport', servicePort: 80 });
  });

  it('maps spec.backend to spec.defaultBackend and named ports to port.name, and back', () => {
    const beta = {
      apiVersion: 'networking.k8s.io/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'x', namespace: 'default' },
      spec: { backend: { serviceName: 'web', servicePort: 'http' }, rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { serviceName: 'a', servicePort: 1 } }] } }] },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
    };
    const v1 = scheme.toStorageVersion(beta);
    expect(v1.spec).toEqual({
      defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
      rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 1 } } } }] } }],
    });
    expect(v1.status).toEqual(beta.status);
    expect(scheme.convert(v1, 'networking.k8s.io/v1beta1')).toEqual(beta);
  });

  it('keeps resource backends and fields it does not know', () => {
    const beta = {
      apiVersion: 'networking.k8s.io/v1beta1',
      kind: 'Ingress',
      spec: { backend: { resource: { kind: 'Bucket', name: 'b' } }, futureField: { a: 1 } },
    };
    expect(scheme.convert(beta, 'v1').spec).toEqual({ defaultBackend: { resource: { kind: 'Bucket', name: 'b' } }, futureField: { a: 1 } });
  });
});

describe('CronJob batch/v1beta1 <-> v1', () => {
  it('is field-identical: only apiVersion changes', () => {
    const beta = {
      apiVersion: 'batch/v1beta1',
      kind: 'CronJob',
      metadata: { name: 'cron-batch-job' },
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [] } } } } },
    };
    const v1 = scheme.toStorageVersion(beta);
    expect(v1).toEqual({ ...beta, apiVersion: 'batch/v1' });
    expect(scheme.convert(v1, 'v1beta1')).toEqual(beta);
  });
});

describe('convert', () => {
  it('refuses conversions it does not know and across groups', () => {
    expect(() => scheme.convert({ apiVersion: 'apps/v1', kind: 'Deployment' }, 'v1beta2')).toThrow(/no conversion/);
    expect(() => scheme.convert({ apiVersion: 'batch/v1', kind: 'CronJob' }, 'apps/v1')).toThrow(/group/);
  });

  it('returns a copy for the same version', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    const out = scheme.convert(pod, 'v1');
    expect(out).toEqual(pod);
    expect(out).not.toBe(pod);
  });
});
