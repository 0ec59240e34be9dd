// Core (v1) printers other than pods: services, endpoints, namespaces, nodes,
// configmaps, secrets, serviceaccounts, replicationcontrollers, events,
// podtemplates.

import { since } from '../duration';
import { ObjectMetaJSON, Printer, PrintContext } from '../types';
import {
  ageColumn,
  column,
  Container,
  CONTAINERS_DESCRIPTION,
  containerCells,
  formatLabels,
  IMAGES_DESCRIPTION,
  joinHostPort,
  nameColumn,
  nameOf,
  sortedUnique,
  wide,
} from '../util';

interface Meta {
  metadata?: ObjectMetaJSON;
}
const age = (obj: Meta, ctx: PrintContext): string => since(obj.metadata?.creationTimestamp, ctx.now);

// ------------------------------------------------------------------ services

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export interface ServicePort {
  port: number;
  nodePort?: number;
  protocol?: string;
}

export interface Service extends Meta {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalIPs?: string[];
    externalName?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
  };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

/** loadBalancerStatusStringer with wide=true (the server always prints wide):
 * sorted unique IPs or hostnames. */
export function loadBalancerIngress(ingress: LoadBalancerIngress[] | null | undefined): string {
  return sortedUnique((ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== '')).join(',');
}

function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

/** makePortString: `80/TCP`, `80:30123/TCP`, comma-joined. */
export function servicePorts(ports: ServicePort[] | null | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const protocol = p.protocol || 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    wide('Selector', 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  cells(svc: Service, ctx) {
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIP || spec.clusterIPs?.[0] || '<none>';
    return [
      nameOf(svc),
      spec.type ?? 'ClusterIP',
      clusterIP,
      serviceExternalIP(svc),
      servicePorts(spec.ports) || '<none>',
      age(svc, ctx),
      formatLabels(spec.selector),
    ];
  },
};

// ----------------------------------------------------------------- endpoints

interface Endpoints extends Meta {
  subsets?: Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ name?: string; port: number }> }>;
}

/** formatEndpoints: up to three `ip:port`, then ` + N more...`. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    // Headless services may have no ports: list bare IPs.
    const entries = ports.length === 0 ? [null] : ports;
    for (const port of entries) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(port === null ? addr.ip : joinHostPort(addr.ip, port.port));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageColumn()],
  cells: (ep: Endpoints, ctx) => [nameOf(ep), formatEndpoints(ep), age(ep, ctx)],
};

// ---------------------------------------------------------------- namespaces

export const namespacePrinter: Printer = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  // The namespace registry always sets status.phase (Active on create).
  cells: (ns: Meta & { status?: { phase?: string } }, ctx) => [nameOf(ns), ns.status?.phase ?? 'Active', age(ns, ctx)],
};

// --------------------------------------------------------------------- nodes

export interface Node extends Meta {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Array<{ type: string; status: string }>;
    addresses?: Array<{ type: string; address: string }>;
    nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
  };
}

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';

/** findNodeRoles: `node-role.kubernetes.io/<role>` labels and the value of
 * `kubernetes.io/role`, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.push(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.push(v);
    }
  }
  return sortedUnique(roles);
}

function nodeStatus(node: Node): string {
  const status: string[] = [];
  // Only the Ready condition is reported; the last one of that type wins.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const nodeAddress = (node: Node, type: string): string =>
  (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    wide('Internal-IP', 'List of addresses reachable to the node.'),
    wide('External-IP', 'List of addresses reachable to the node.'),
    wide('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    wide('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    wide('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
  ],
  cells(node: Node, ctx) {
    const info = node.status?.nodeInfo ?? {};
    const roles = nodeRoles(node).join(',');
    return [
      nameOf(node),
      nodeStatus(node),
      roles || '<none>',
      age(node, ctx),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

// ------------------------------------------------- configmaps, secrets, SAs

const count = (m: Record<string, unknown> | null | undefined): number => Object.keys(m ?? {}).length;

export const configMapPrinter: Printer = {
  columns: [nameColumn(), column('Data', 'string', 'Data contains the configuration data.'), ageColumn()],
  cells: (cm: Meta & { data?: Record<string, string>; binaryData?: Record<string, string> }, ctx) => [
    nameOf(cm),
    count(cm.data) + count(cm.binaryData),
    age(cm, ctx),
  ],
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    ageColumn(),
  ],
  // stringData is merged into data when the Secret is converted, so count both.
  cells: (s: Meta & { type?: string; data?: Record<string, string>; stringData?: Record<string, string> }, ctx) => [
    nameOf(s),
    s.type || 'Opaque',
    new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]).size,
    age(s, ctx),
  ],
};

export const serviceAccountPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageColumn(),
  ],
  cells: (sa: Meta & { secrets?: unknown[] }, ctx) => [nameOf(sa), (sa.secrets ?? []).length, age(sa, ctx)],
};

// ---------------------------------------------------- replicationcontrollers

interface ReplicationController extends Meta {
  spec?: { replicas?: number; selector?: Record<string, string>; template?: { spec?: { containers?: Container[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

export const replicationControllerPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
    wide('Selector', 'Selector is a label query over pods that should match the Replicas count.'),
  ],
  cells(rc: ReplicationController, ctx) {
    const [names, images] = containerCells(rc.spec?.template?.spec?.containers);
    return [
      nameOf(rc),
      rc.spec?.replicas ?? 1, // defaulted to 1 by the API server
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      age(rc, ctx),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

// ------------------------------------------------------------- podtemplates

export const podTemplatePrinter: Printer = {
  columns: [
    nameColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION),
    column('Images', 'string', IMAGES_DESCRIPTION),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(pt: Meta & { template?: { metadata?: ObjectMetaJSON; spec?: { containers?: Container[] } } }) {
    const [names, images] = containerCells(pt.template?.spec?.containers);
    return [nameOf(pt), names, images, formatLabels(pt.template?.metadata?.labels)];
  },
};
