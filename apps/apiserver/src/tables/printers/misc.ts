// Smaller printers: leases (coordination.k8s.io), role bindings (rbac),
// poddisruptionbudgets (policy), priorityclasses (scheduling), runtimeclasses
// (node) and admission webhook configurations.

import { since } from '../duration';
import { ObjectMetaJSON, Printer, PrintContext } from '../types';
import { ageColumn, column, nameColumn, nameOf, wide } from '../util';

interface Meta {
  metadata?: ObjectMetaJSON;
}
const age = (obj: Meta, ctx: PrintContext): string => since(obj.metadata?.creationTimestamp, ctx.now);

export const leasePrinter: Printer = {
  columns: [nameColumn(), column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
  cells: (l: Meta & { spec?: { holderIdentity?: string | null } }, ctx) => [nameOf(l), l.spec?.holderIdentity ?? '', age(l, ctx)],
};

interface RoleBinding extends Meta {
  roleRef?: { kind?: string; name?: string };
  subjects?: Array<{ kind?: string; name?: string; namespace?: string }> | null;
}

function makeBindingPrinter(what: string): Printer {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageColumn(),
      wide('Users', `Users in the ${what}`),
      wide('Groups', `Groups in the ${what}`),
      wide('ServiceAccounts', `ServiceAccounts in the ${what}`),
    ],
    cells(rb: RoleBinding, ctx) {
      const subjects = rb.subjects ?? [];
      const of = (kind: string) => subjects.filter((s) => s.kind === kind);
      return [
        nameOf(rb),
        `${rb.roleRef?.kind ?? ''}/${rb.roleRef?.name ?? ''}`,
        age(rb, ctx),
        of('User').map((s) => s.name ?? '').join(', '),
        of('Group').map((s) => s.name ?? '').join(', '),
        of('ServiceAccount').map((s) => `${s.namespace ?? ''}/${s.name ?? ''}`).join(', '),
      ];
    },
  };
}

export const roleBindingPrinter = makeBindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = makeBindingPrinter('clusterRoleBinding');

interface PodDisruptionBudget extends Meta {
  spec?: { minAvailable?: number | string | null; maxUnavailable?: number | string | null };
  status?: { disruptionsAllowed?: number };
}

const intOrString = (v: number | string | null | undefined): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  cells: (pdb: PodDisruptionBudget, ctx) => [
    nameOf(pdb),
    intOrString(pdb.spec?.minAvailable),
    intOrString(pdb.spec?.maxUnavailable),
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb, ctx),
  ],
};

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Value', 'integer', 'value represents the integer value of this priority class.'),
    column('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageColumn(),
    column('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (pc: Meta & { value?: number; globalDefault?: boolean; preemptionPolicy?: string | null }, ctx) => [
    nameOf(pc),
    pc.value ?? 0,
    pc.globalDefault ?? false,
    age(pc, ctx),
    pc.preemptionPolicy ?? 'PreemptLowerPriority', // API default
  ],
};

export const runtimeClassPrinter: Printer = {
  columns: [nameColumn(), column('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use.'), ageColumn()],
  cells: (rc: Meta & { handler?: string }, ctx) => [nameOf(rc), rc.handler ?? '', age(rc, ctx)],
};

export const webhookConfigurationPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'),
    ageColumn(),
  ],
  cells: (wc: Meta & { webhooks?: unknown[] | null }, ctx) => [nameOf(wc), (wc.webhooks ?? []).length, age(wc, ctx)],
};
