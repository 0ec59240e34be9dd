import type { OwnerReference, Pod, PodTemplateSpec } from '@logbook/api';
import { isDns1123Subdomain } from '@logbook/machinery';

/**
 * The generateName prefix of a controller's pods: `<name>-` (Kubernetes'
 * getPodsPrefix), or the bare name when the dash would make it invalid.
 * The apiserver appends five random characters.
 */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // Validated as a generateName is: with the trailing dash standing for a letter.
  return isDns1123Subdomain(`${controllerName}a`).length === 0 ? prefix : controllerName;
}

/**
 * A pod to create from a controller's template (Kubernetes'
 * GetPodFromTemplate): the template's labels, annotations, finalizers and
 * spec, `generateName: <owner>-`, in the owner's namespace, controlled by
 * `controllerRef`. The template is not changed.
 */
export function podFromTemplate(template: PodTemplateSpec, namespace: string, controllerRef: OwnerReference, opts: { generateName?: string } = {}): Pod {
  const tm = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      generateName: opts.generateName ?? podNamePrefix(controllerRef.name),
      labels: { ...(tm.labels ?? {}) },
      ownerReferences: [{ ...controllerRef }],
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  if (tm.annotations && Object.keys(tm.annotations).length) pod.metadata!.annotations = { ...tm.annotations };
  if (tm.finalizers?.length) pod.metadata!.finalizers = [...tm.finalizers];
  return pod;
}
