// apps/v1 printers: deployments, replicasets, daemonsets, statefulsets,
// controllerrevisions.

import { since } from '../duration';
import { ObjectMetaJSON, Printer, PrintContext } from '../types';
import {
  ageColumn,
  column,
  Container,
  CONTAINERS_DESCRIPTION,
  containerCells,
  formatLabelSelector,
  formatLabels,
  IMAGES_DESCRIPTION,
  LabelSelector,
  nameColumn,
  nameOf,
  selectorString,
  wide,
} from '../util';

interface Workload {
  metadata?: ObjectMetaJSON;
  spec?: {
    replicas?: number;
    selector?: LabelSelector | null;
    template?: { spec?: { containers?: Container[]; nodeSelector?: Record<string, string> } };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

const age = (obj: Workload, ctx: PrintContext): string => since(obj.metadata?.creationTimestamp, ctx.now);
// spec.replicas is defaulted to 1 by the API server for every apps/v1 workload.
const desired = (obj: Workload): number => obj.spec?.replicas ?? 1;
const containers = (obj: Workload): [string, string] => containerCells(obj.spec?.template?.spec?.containers);
const wideTemplateColumns = (selectorDescription: string) => [
  wide('Containers', CONTAINERS_DESCRIPTION),
  wide('Images', IMAGES_DESCRIPTION),
  wide('Selector', selectorDescription),
];

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    ...wideTemplateColumns('Label selector for pods.'),
  ],
  cells(d: Workload, ctx) {
    const status = d.status ?? {};
    const selector = selectorString(d.spec?.selector);
    return [
      nameOf(d),
      `${status.readyReplicas ?? 0}/${desired(d)}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      age(d, ctx),
      ...containers(d),
      selector === null ? '<invalid>' : selector,
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn(),
    ...wideTemplateColumns('Selector is a label query over pods that should match the replica count.'),
  ],
  cells: (rs: Workload, ctx) => [
    nameOf(rs),
    desired(rs),
    rs.status?.replicas ?? 0,
    rs.status?.readyReplicas ?? 0,
    age(rs, ctx),
    ...containers(rs),
    formatLabelSelector(rs.spec?.selector),
  ],
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn(),
    ...wideTemplateColumns('A label query over pods that are managed by the daemon set.'),
  ],
  cells(ds: Workload, ctx) {
    const s = ds.status ?? {};
    return [
      nameOf(ds),
      s.desiredNumberScheduled ?? 0,
      s.currentNumberScheduled ?? 0,
      s.numberReady ?? 0,
      s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, ctx),
      ...containers(ds),
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
  ],
  cells: (sts: Workload, ctx) => [nameOf(sts), `${sts.status?.readyReplicas ?? 0}/${desired(sts)}`, age(sts, ctx), ...containers(sts)],
};

/** formatResourceName(GroupKind, name, withKind=true): `statefulset.apps/web`. */
function controllerName(metadata: ObjectMetaJSON | undefined): string {
  const ref = (metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = ref.kind ?? '';
  if (!group && !kind) return ref.name ?? '';
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${ref.name ?? ''}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells: (cr: { metadata?: ObjectMetaJSON; revision?: number }, ctx) => [
    cr.metadata?.name ?? '',
    controllerName(cr.metadata),
    cr.revision ?? 0,
    since(cr.metadata?.creationTimestamp, ctx.now),
  ],
};
