import type { ConfigMap, Deployment, Service } from '@logbook/api';
import { setControllerReference } from '@logbook/sdk';
import type { Website } from './website';

/**
 * What a Website becomes: a ConfigMap with the page, a Deployment of nginx
 * serving it (or cloning the git repository first), and a Service in front.
 * Pure functions of the Website, so the reconciler can apply them every time.
 */
export function desiredConfigMap(site: Website): ConfigMap {
  const cm: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${site.metadata.name}-content`, namespace: site.metadata.namespace, labels: labelsOf(site) },
    data: { 'index.html': site.spec.html ?? '' },
  };
  setControllerReference(site, cm);
  return cm;
}

export function desiredDeployment(site: Website): Deployment {
  const name = site.metadata.name!;
  const fromGit = site.spec.gitRepo !== undefined;
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: site.metadata.namespace, labels: labelsOf(site) },
    spec: {
      replicas: site.spec.replicas ?? 1,
      selector: { matchLabels: labelsOf(site) },
      template: {
        metadata: { labels: labelsOf(site) },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'nginx:alpine',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true }],
            },
          ],
          volumes: [
            fromGit
              ? { name: 'html', gitRepo: { repository: site.spec.gitRepo!, revision: 'master', directory: '.' } }
              : { name: 'html', configMap: { name: `${name}-content` } },
          ],
        },
      },
    },
  };
  setControllerReference(site, deployment);
  return deployment;
}

export function desiredService(site: Website): Service {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: site.metadata.name, namespace: site.metadata.namespace, labels: labelsOf(site) },
    spec: { selector: labelsOf(site), ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
  };
  setControllerReference(site, svc);
  return svc;
}

export function labelsOf(site: Website): Record<string, string> {
  return { 'app.kubernetes.io/name': 'website', 'app.kubernetes.io/instance': site.metadata.name! };
}
