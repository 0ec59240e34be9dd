import { readdirSync, statSync } from 'fs';
import { join, relative } from 'path';
import { Namespace, Root, Type } from 'protobufjs';
import { KubernetesProtobufError } from './errors';
import { kubernetesProtoRoot, messageForKind, supportedKinds } from './schema';
import { descriptor, goJsonFields, goSliceMessages } from './schema.generated';

const PROTO_DIR = join(__dirname, 'proto');

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return protoFiles(path);
    return name.endsWith('.proto') ? [relative(PROTO_DIR, path)] : [];
  });
}

function allMessages(ns: Namespace): Type[] {
  return ns.nestedArray.flatMap((n) => [
    ...(n instanceof Type ? [n] : []),
    ...(n instanceof Namespace ? allMessages(n) : []),
  ]);
}

describe('the embedded Kubernetes protobuf schema', () => {
  it('is exactly what the vendored proto/ files say (run scripts/generate-schema.js after changing them)', () => {
    const files = protoFiles(PROTO_DIR);
    expect(files).toContain('k8s.io/api/core/v1/generated.proto');
    expect(files).toContain('k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto');
    const root = new Root();
    root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
    root.loadSync(files, { keepCase: true });
    root.resolveAll();
    expect(JSON.parse(JSON.stringify(root.toJSON({ keepComments: false })))).toEqual(descriptor);
  });

  it('has Go JSON facts for every message except the ones with their own JSON form', () => {
    const withoutFacts = allMessages(kubernetesProtoRoot())
      .map((t) => t.fullName.slice(1))
      .filter((name) => !goJsonFields[name] && !goSliceMessages.includes(name));
    expect(withoutFacts.sort()).toEqual([
      'k8s.io.apimachinery.pkg.api.resource.Quantity',
      'k8s.io.apimachinery.pkg.api.resource.QuantityValue',
      'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
      'k8s.io.apimachinery.pkg.apis.meta.v1.Patch', // no fields
      'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
    ]);
  });

  it('has Go JSON facts that name real proto fields, and every proto field', () => {
    for (const [name, fields] of Object.entries(goJsonFields)) {
      const type = kubernetesProtoRoot().lookupType(name);
      expect(fields.map(([protoName]) => protoName).sort()).toEqual(Object.keys(type.fields).sort());
    }
  });

  it.each([
    ['v1', 'Namespace', 'k8s.io.api.core.v1.Namespace'],
    ['v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap'],
    ['v1', 'Secret', 'k8s.io.api.core.v1.Secret'],
    ['v1', 'Service', 'k8s.io.api.core.v1.Service'],
    ['v1', 'ServiceAccount', 'k8s.io.api.core.v1.ServiceAccount'],
    ['v1', 'ResourceQuota', 'k8s.io.api.core.v1.ResourceQuota'],
    ['v1', 'Pod', 'k8s.io.api.core.v1.Pod'],
    ['apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment'],
    ['apps/v1', 'StatefulSet', 'k8s.io.api.apps.v1.StatefulSet'],
    ['batch/v1', 'Job', 'k8s.io.api.batch.v1.Job'],
    ['batch/v1', 'CronJob', 'k8s.io.api.batch.v1.CronJob'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'k8s.io.api.rbac.v1.ClusterRoleBinding'],
    ['networking.k8s.io/v1', 'Ingress', 'k8s.io.api.networking.v1.Ingress'],
    ['policy/v1', 'PodDisruptionBudget', 'k8s.io.api.policy.v1.PodDisruptionBudget'],
    ['policy/v1', 'Eviction', 'k8s.io.api.policy.v1.Eviction'],
    ['scheduling.k8s.io/v1', 'PriorityClass', 'k8s.io.api.scheduling.v1.PriorityClass'],
    ['authentication.k8s.io/v1', 'TokenRequest', 'k8s.io.api.authentication.v1.TokenRequest'],
    ['autoscaling/v1', 'Scale', 'k8s.io.api.autoscaling.v1.Scale'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler'],
    ['coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease'],
    ['v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions'],
  ])('%s %s → %s', (apiVersion, kind, fullName) => {
    expect(messageForKind(apiVersion, kind).fullName).toBe(`.${fullName}`);
    if (kind !== 'DeleteOptions') expect(supportedKinds()).toContainEqual({ apiVersion, kind });
  });

  it.each([
    ['v1', 'ObjectMeta'],
    ['v1', 'PodSpec'],
    ['apps/v1', 'Pod'],
    ['extensions/v1beta1', 'Ingress'],
    ['apps/v1beta1', 'Deployment'],
    ['stable.example.com/v1', 'CronTab'],
    ['v1', 'Status'],
  ])('%s %s is not a kind we decode', (apiVersion, kind) => {
    expect(() => messageForKind(apiVersion, kind)).toThrow(KubernetesProtobufError);
  });
});
