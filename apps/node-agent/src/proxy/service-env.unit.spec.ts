import type { Pod, Service } from '@logbook/api';
import { serviceEnvironment } from './service-env';

const svc = (namespace: string, name: string, spec: Service['spec']): Service => ({ metadata: { namespace, name }, spec });
const pod = (namespace = 'default', enableServiceLinks?: boolean): Pod => ({ metadata: { namespace, name: 'p' }, spec: { containers: [], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) } });
const asMap = (env: Array<{ name: string; value?: string }>) => Object.fromEntries(env.map((e) => [e.name, e.value]));

describe('serviceEnvironment', () => {
  const kubernetes = svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] });
  const kubia = svc('default', 'kubia', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });

  it("gives the seed's KUBIA_SERVICE_HOST/PORT and the Docker link variables", () => {
    expect(asMap(serviceEnvironment([kubia], pod()))).toEqual({
      KUBIA_SERVICE_HOST: '10.96.0.20',
      KUBIA_SERVICE_PORT: '80',
      KUBIA_SERVICE_PORT_HTTP: '80',
      KUBIA_SERVICE_PORT_DNS: '53',
      KUBIA_PORT: 'tcp://10.96.0.20:80',
      KUBIA_PORT_80_TCP: 'tcp://10.96.0.20:80',
      KUBIA_PORT_80_TCP_PROTO: 'tcp',
      KUBIA_PORT_80_TCP_PORT: '80',
      KUBIA_PORT_80_TCP_ADDR: '10.96.0.20',
      KUBIA_PORT_53_UDP: 'udp://10.96.0.20:53',
      KUBIA_PORT_53_UDP_PROTO: 'udp',
      KUBIA_PORT_53_UDP_PORT: '53',
      KUBIA_PORT_53_UDP_ADDR: '10.96.0.20',
    });
  });

  it('takes Services of the pod\'s namespace and kubernetes from default; none for headless or ExternalName; dashes become underscores', () => {
    const env = asMap(
      serviceEnvironment(
        [kubernetes, kubia, svc('shop', 'kubia-web', { clusterIP: '10.96.0.30', ports: [{ port: 8080 }] }), svc('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }), svc('shop', 'ext', { type: 'ExternalName', externalName: 'example.com' })],
        pod('shop'),
      ),
    );
    expect(Object.keys(env).filter((k) => k.endsWith('_SERVICE_HOST')).sort()).toEqual(['KUBERNETES_SERVICE_HOST', 'KUBIA_WEB_SERVICE_HOST']);
    expect(env.KUBIA_WEB_SERVICE_PORT).toBe('8080');
    expect(env.KUBERNETES_SERVICE_PORT_HTTPS).toBe('443');
  });

  it('gives only kubernetes with enableServiceLinks: false', () => {
    expect(Object.keys(asMap(serviceEnvironment([kubernetes, kubia], pod('default', false)))).filter((k) => k.endsWith('_SERVICE_HOST'))).toEqual(['KUBERNETES_SERVICE_HOST']);
  });
});
