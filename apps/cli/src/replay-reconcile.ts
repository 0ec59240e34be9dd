/**
 * `logbook replay TYPE/NAME --reconcile CONTROLLER`: a built-in controller's
 * reconcile run again, dry, against the cluster as of a resourceVersion
 * (`--at`), or at every change of a window (step-through). Reads come from
 * the server's time travel; nothing is written. Loaded only for this
 * command: it pulls in the controllers.
 */
import {
  CronJobReconciler,
  DaemonSetReconciler,
  DeploymentReconciler,
  JobReconciler,
  NamespaceReconciler,
  ReplicaSetReconciler,
  ReplicationControllerReconciler,
  StatefulSetReconciler,
} from '@logbook/controllers';
import {
  ListOptions,
  ListResult,
  PastReader,
  Reconciler,
  reconcilerOptionsOf,
  ReplayReport,
  ReplaySession,
  resourcePath,
  ResourceKind,
} from '@logbook/sdk';
import { ApiClient } from './connection';

type Make = (s: ReplaySession) => Reconciler;

/** The built-in controllers that can be replayed: each class and how to build it over a replay. */
const BUILT_IN: Array<[Function, Make]> = [
  [DeploymentReconciler, () => new DeploymentReconciler()],
  [ReplicaSetReconciler, (s) => new ReplicaSetReconciler(s.informers)],
  [ReplicationControllerReconciler, (s) => new ReplicationControllerReconciler(s.informers)],
  [StatefulSetReconciler, () => new StatefulSetReconciler()],
  [DaemonSetReconciler, (s) => new DaemonSetReconciler(s.informers)],
  [JobReconciler, (s) => new JobReconciler(s.informers)],
  [CronJobReconciler, () => new CronJobReconciler()],
  [NamespaceReconciler, () => new NamespaceReconciler()],
];

interface BuiltIn {
  name: string;
  kind: string;
  make: Make;
}

/** Names come from the reconcilers' own declarations (`@Reconciler({ name, for })`), not from a list kept here. */
function builtIns(): BuiltIn[] {
  return BUILT_IN.map(([type, make]) => {
    const options = reconcilerOptionsOf(type)!;
    const forKind = (typeof (options.for as { kind?: unknown }).kind === 'object' ? (options.for as { kind: ResourceKind<unknown> }).kind : options.for) as ResourceKind<unknown>;
    return { name: options.name ?? forKind.kind.toLowerCase(), kind: forKind.kind, make };
  });
}

/** Finds a controller by its name (`deployment`, `replicaset-controller`) or the kind it reconciles. */
export function findController(name: string): BuiltIn {
  const all = builtIns();
  const wanted = name.toLowerCase();
  const found = all.find((c) => c.name === wanted) ?? all.find((c) => c.kind.toLowerCase() === wanted || `${c.kind.toLowerCase()}-controller` === wanted);
  if (!found) throw new Error(`no built-in controller ${JSON.stringify(name)}; known: ${all.map((c) => c.name).join(', ')}`);
  return found;
}

/** Reads the past through the CLI's connection (kubeconfig, TLS and token included). */
export class CliPastReader implements PastReader {
  constructor(private readonly client: ApiClient) {}

  async list<T>(kind: ResourceKind<T>, opts: ListOptions): Promise<ListResult<T>> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(opts)) if (v !== undefined && k !== 'namespace') q.set(k, String(v));
    const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
    const body = await this.client.getJson<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(`${resourcePath(kind, opts.namespace)}?${q}`);
    return {
      items: (body.items ?? []).map((o) => ({ apiVersion, kind: kind.kind, ...(o as object) }) as T),
      resourceVersion: body.metadata?.resourceVersion ?? '',
      continue: body.metadata?.continue || undefined,
    };
  }
}

/** Replays `controller` for the object at `resourceVersion`; `time` stamps the would-be writes and is the controller's clock. */
export function replayAt(reader: PastReader, controller: BuiltIn, request: { namespace: string; name: string }, resourceVersion: string, time?: Date): Promise<ReplayReport> {
  const now = () => time ?? new Date();
  const session = new ReplaySession({ source: reader, resourceVersion, now });
  const reconciler = controller.make(session);
  // Controllers that stamp conditions or measure deadlines take their clock from `now`.
  if ('now' in reconciler && typeof (reconciler as { now?: unknown }).now === 'function') (reconciler as { now: () => Date }).now = now;
  return session.reconcile(reconciler, request);
}

// --- rendering ---------------------------------------------------------------------

const ref = (kind: string, namespace: string | undefined, name: string) => `${kind} ${namespace ? `${namespace}/` : ''}${name}`;

/** Replica counts first, in the order kubectl shows them; other fields after, by name. */
const STATUS_ORDER = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'currentReplicas', 'observedGeneration'];

/** A kind-neutral look at an object's status: its counts, then its conditions. */
export function statusLines(obj: { kind?: string; status?: Record<string, unknown> } | undefined): string[] {
  const status = obj?.status;
  if (!status) return [];
  const rank = (k: string) => (STATUS_ORDER.includes(k) ? STATUS_ORDER.indexOf(k) : STATUS_ORDER.length);
  const counts = Object.entries(status)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  const lines = counts.length ? [counts.map(([k, v]) => `${k} ${v}`).join(', ')] : [];
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Array<Record<string, string>>) : [];
  for (const c of conditions) lines.push(`${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
  return lines;
}

function outcomeLine(r: ReplayReport): string {
  switch (r.outcome) {
    case 'done':
      return 'done (nothing more to do until something changes)';
    case 'requeue':
      return 'requeue (with back-off)';
    case 'requeueAfter':
      return `requeue after ${Math.round((r.result?.requeueAfter ?? 0) / 1000)}s`;
    case 'error':
      return `error (would be retried with back-off): ${r.error}`;
    case 'terminalError':
      return `terminal error (not retried): ${r.error}`;
  }
}

/** What the object owned at the replayed moment, one line each (from the timeline's state summaries). */
export interface OwnedState {
  kind: string;
  name: string;
  depth: number;
  state: { text: string };
}

/** The report as a person reads it: what the controller saw, what it would write, how it ended. */
export function renderReport(r: ReplayReport, time?: Date, owned: OwnedState[] = []): string {
  const subject = ref(r.object?.kind ?? '', r.request.namespace, r.request.name);
  let out = `Replay of ${r.controller} for ${subject} at resourceVersion ${r.resourceVersion}${time ? ` (${time.toISOString()})` : ''}, dry: nothing was sent.\n\n`;
  out += r.object ? `It saw ${subject}:\n${statusLines(r.object as never).map((l) => `  ${l}\n`).join('') || '  (no status)\n'}` : `It saw no ${subject}: it did not exist then.\n`;
  const below = owned.filter((o) => o.depth > 0);
  if (below.length) out += `\nWhat it owned then:\n${below.map((o) => `  ${'  '.repeat(o.depth - 1)}${o.kind}/${o.name}: ${o.state.text}\n`).join('')}`;
  out += `\nIt read:\n${r.reads.map((x) => `  ${x.verb} ${x.kind}${x.name ? ` ${x.namespace ? `${x.namespace}/` : ''}${x.name}` : x.namespace ? ` in ${x.namespace}` : ''}${x.labelSelector ? ` -l ${x.labelSelector}` : ''}: ${x.count}\n`).join('') || '  nothing\n'}`;
  const changing = r.writes.filter((w) => w.changed || w.error);
  const unchanged = r.writes.length - changing.length;
  if (changing.length === 0) out += `\nIt would write nothing${unchanged ? ` (${unchanged} write(s) of what is already there)` : ''}: it is waiting.\n`;
  else {
    out += `\nIt would write (${changing.length}):\n`;
    for (const w of changing) {
      out += `  ${w.verb}${w.subresource ? `/${w.subresource}` : ''} ${ref(w.kind, w.namespace, w.name)}${w.error ? `  — refused: ${w.error}` : ''}\n`;
      for (const line of w.diff.summary.slice(0, 20)) out += `      ${line}\n`;
    }
  }
  if (r.events.length) out += `\nEvents it would record:\n${r.events.map((e) => `  ${e.type} ${e.reason} on ${e.object}: ${e.message}\n`).join('')}`;
  if (r.logs.length) out += `\nIts log:\n${r.logs.map((l) => `  ${l.level.toUpperCase()} ${l.message}\n`).join('')}`;
  out += `\nResult: ${outcomeLine(r)}\n`;
  return out;
}

/** One line per step of a step-through. */
export function stepRow(r: ReplayReport, time: string): string[] {
  const changing = r.writes.filter((w) => w.changed || w.error);
  const writes = changing.length ? changing.map((w) => `${w.verb}${w.subresource ? `/${w.subresource}` : ''} ${w.kind}/${w.name}`).join(', ') : '(waits)';
  const result = r.outcome === 'requeueAfter' ? `requeue ${Math.round((r.result?.requeueAfter ?? 0) / 1000)}s` : r.outcome === 'done' ? 'done' : r.outcome;
  return [r.resourceVersion, time, result, writes];
}
