import { FlagSpec, ParsedArgs, UsageError, parseArgs, parseObjectArgs } from './args';
import { ApiClient, resolveConnection } from './connection';
import { ResourceResolver, ResourceType, apiPath } from './discovery';
import { columnWidths, dump, formatTable, parseOutput, shortTime, truncate } from './format';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const GV = '/apis/logbook.io/v1';

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'server', short: 's' },
  { name: 'token' },
  { name: 'kubeconfig' },
  { name: 'context' },
  { name: 'insecure-skip-tls-verify', boolean: true },
  { name: 'namespace', short: 'n' },
  { name: 'all-namespaces', short: 'A', boolean: true },
  { name: 'output', short: 'o' },
  { name: 'help', short: 'h', boolean: true },
];

const WINDOW_FLAGS: FlagSpec[] = [{ name: 'since' }, { name: 'until' }, { name: 'from-rv' }, { name: 'to-rv' }];

/** Where output goes; tests and the entry point both pass process.stdout/stderr. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stderr is a terminal: progress may be drawn on it. */
  progress: boolean;
}

interface Context {
  args: ParsedArgs;
  client: ApiClient;
  resolver: ResourceResolver;
  namespace: string;
  allNamespaces: boolean;
  io: Io;
}

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  flags: FlagSpec[];
  run(ctx: Context): Promise<void>;
}

function context(argv: string[], cmd: Command, io: Io): Context | undefined {
  const args = parseArgs(argv, [...GLOBAL_FLAGS, ...cmd.flags]);
  if (args.flags.get('help') === 'true') {
    io.out(`${cmd.summary}\n\nUsage:\n  ${cmd.usage}\n\nFlags:\n${[...cmd.flags, ...GLOBAL_FLAGS].map((f) => `  ${f.short ? `-${f.short}, ` : '    '}--${f.name}`).join('\n')}\n`);
    return undefined;
  }
  const conn = resolveConnection({
    server: args.flags.get('server'),
    token: args.flags.get('token'),
    kubeconfig: args.flags.get('kubeconfig'),
    context: args.flags.get('context'),
    insecureSkipTlsVerify: args.flags.get('insecure-skip-tls-verify') === 'true',
  });
  const client = new ApiClient(conn);
  return {
    args,
    client,
    resolver: new ResourceResolver(client),
    namespace: args.flags.get('namespace') ?? conn.namespace ?? 'default',
    allNamespaces: args.flags.get('all-namespaces') === 'true',
    io,
  };
}

export async function runCommand(cmd: Command, argv: string[], io: Io): Promise<void> {
  const ctx = context(argv, cmd, io);
  if (ctx) await cmd.run(ctx);
}

/** Query parameters shared by history, replay and audit: the time and resourceVersion window. */
function windowParams(ctx: Context, q: URLSearchParams): void {
  const f = ctx.args.flags;
  if (f.has('since')) q.set('since', f.get('since')!);
  if (f.has('until')) q.set('until', f.get('until')!);
  if (f.has('from-rv')) q.set('fromResourceVersion', f.get('from-rv')!);
  if (f.has('to-rv')) q.set('toResourceVersion', f.get('to-rv')!);
}

/** `/apis/logbook.io/v1[/namespaces/{ns}]/{what}` for a type's scope and the namespace flags. */
function scoped(ctx: Context, what: string, type?: ResourceType): string {
  const clusterWide = ctx.allNamespaces || (type !== undefined && !type.namespaced);
  return clusterWide ? `${GV}/${what}` : `${GV}/namespaces/${encodeURIComponent(ctx.namespace)}/${what}`;
}

const who = (h: Json): string => h.actor.username;
const verbOf = (h: Json): string => (h.subresource ? `${h.verb}/${h.subresource}` : h.verb);
const objectOf = (h: Json): string => `${h.objectRef.kind} ${h.objectRef.namespace ? `${h.objectRef.namespace}/` : ''}${h.objectRef.name}`;

// --- history ---------------------------------------------------------------------

export const history: Command = {
  name: 'history',
  aliases: ['hist'],
  summary: 'Every change to an object, a type, a namespace or the cluster: who, when, how, and what changed.',
  usage: 'logbook history [TYPE[/NAME] | TYPE NAME] [-n NS | -A] [--actor USER] [--verb VERB] [--type ADDED|MODIFIED|DELETED] [--uid UID] [-l SELECTOR] [--since TIME] [--until TIME] [--from-rv RV] [--to-rv RV] [--limit N] [--diff] [-w] [-o table|wide|json|yaml]',
  flags: [
    ...WINDOW_FLAGS,
    { name: 'actor' },
    { name: 'verb' },
    { name: 'type' },
    { name: 'uid' },
    { name: 'kind' },
    { name: 'selector', short: 'l' },
    { name: 'limit' },
    { name: 'diff', boolean: true },
    { name: 'watch', short: 'w', boolean: true },
  ],
  async run(ctx) {
    const f = ctx.args.flags;
    const output = parseOutput(f.get('output'), ['table', 'wide', 'json', 'yaml'], 'table');
    const { type, name } = parseObjectArgs(ctx.args.positionals);
    const q = new URLSearchParams();
    let resolved: ResourceType | undefined;
    if (type) {
      resolved = await ctx.resolver.resolve(type);
      q.set('group', resolved.group);
      q.set('resource', resolved.resource);
    }
    if (name) q.set('name', name);
    for (const [flag, param] of [['actor', 'actor'], ['verb', 'verb'], ['type', 'type'], ['uid', 'uid'], ['kind', 'kind'], ['selector', 'labelSelector']]) {
      if (f.has(flag)) q.set(param, f.get(flag)!);
    }
    windowParams(ctx, q);
    const base = scoped(ctx, 'history', resolved);
    const wide = output === 'wide';
    const showNs = ctx.allNamespaces || (resolved !== undefined && !resolved.namespaced);
    const header = ['RV', 'TIME', 'TYPE', 'KIND', ...(showNs ? ['NAMESPACE'] : []), 'NAME', 'ACTOR', 'VERB', 'CHANGE', ...(wide ? ['CAUSE', 'FIELD MANAGER'] : [])];
    const row = (h: Json) => [
      String(h.seq),
      shortTime(h.time),
      h.type,
      h.objectRef.kind,
      ...(showNs ? [h.objectRef.namespace ?? ''] : []),
      h.objectRef.name,
      who(h),
      verbOf(h),
      f.get('diff') === 'true' ? '' : truncate(h.change.summary.join('; '), wide ? 200 : 70),
      ...(wide ? [h.causeSeq !== undefined ? String(h.causeSeq) : '<none>', h.fieldManager ?? '<none>'] : []),
    ];
    const diffLines = (h: Json) => (f.get('diff') === 'true' ? h.change.summary.map((l: string) => `    ${l}\n`).join('') : '');

    const watch = f.get('watch') === 'true';
    const max = f.has('limit') ? Number(f.get('limit')) : Infinity;
    if (f.has('limit') && (!Number.isInteger(max) || max < 1)) throw new UsageError('--limit must be a positive whole number');
    const items: Json[] = [];
    let cont = '';
    let resourceVersion = '';
    do {
      const page = new URLSearchParams(q);
      page.set('limit', String(Math.min(500, max - items.length)));
      if (cont) page.set('continue', cont);
      const list = await ctx.client.getJson<Json>(`${base}?${page}`);
      items.push(...list.items);
      resourceVersion = list.metadata.resourceVersion;
      cont = list.metadata.continue ?? '';
      if (ctx.io.progress && cont) ctx.io.err(`\r${items.length} events…`);
    } while (cont && items.length < max);
    if (ctx.io.progress && items.length >= 500) ctx.io.err('\r\x1b[K');
    if (!watch && (output === 'json' || output === 'yaml')) {
      ctx.io.out(dump({ kind: 'HistoryEventList', apiVersion: 'logbook.io/v1', metadata: { resourceVersion }, items }, output));
      return;
    }
    if (!watch && items.length === 0) {
      ctx.io.err(`No history found${ctx.allNamespaces ? '' : ` in ${ctx.namespace} namespace`}.\n`);
      return;
    }

    // Rows are printed with the widths of what is known so far; a watch adds rows one at a time.
    const diff = f.get('diff') === 'true';
    const columns = diff ? header.slice(0, -1) : header;
    const cells = (h: Json) => (diff ? row(h).slice(0, header.length - 1) : row(h));
    let widths: number[] | undefined;
    const print = (batch: Json[]) => {
      if (output === 'json' || output === 'yaml') {
        for (const h of batch) ctx.io.out(output === 'json' ? JSON.stringify(h) + '\n' : `---\n${dump(h, 'yaml')}`);
        return;
      }
      const lines = formatTable(columns, batch.map(cells), widths).split('\n');
      if (!widths) {
        widths = columnWidths(columns, batch.map(cells));
        ctx.io.out(lines[0] + '\n');
      }
      batch.forEach((h, i) => ctx.io.out(lines[i + 1] + '\n' + diffLines(h)));
    };
    if (items.length || !watch) print(items);
    if (!watch) return;

    // Then follow from the list's resourceVersion: nothing in between is missed.
    const w = new URLSearchParams(q);
    w.set('watch', 'true');
    w.set('resourceVersion', resourceVersion);
    await ctx.client.lines(`${base}?${w}`, (line) => {
      const ev = JSON.parse(line);
      if (ev.type === 'ERROR') throw new Error(ev.object.message);
      print([ev.object]);
    });
  },
};

// --- explain -----------------------------------------------------------------------

export const explain: Command = {
  name: 'explain',
  summary: 'Why an event happened (its causes, back to the person who started it) and what it caused.',
  usage: 'logbook explain RV | TYPE/NAME [-n NS] [-o json|yaml]',
  flags: [],
  async run(ctx) {
    const output = parseOutput(ctx.args.flags.get('output'), ['table', 'json', 'yaml'], 'table');
    const [first] = ctx.args.positionals;
    if (!first) throw new UsageError('explain needs an event (a resourceVersion) or an object (TYPE/NAME)');
    let path: string;
    if (/^\d+$/.test(first) && ctx.args.positionals.length === 1) path = `${GV}/explain/${first}`;
    else {
      const { type, name } = parseObjectArgs(ctx.args.positionals);
      if (!name) throw new UsageError('explain needs a name: TYPE/NAME');
      const t = await ctx.resolver.resolve(type!);
      path = `${scoped(ctx, 'explain', t)}?${new URLSearchParams({ group: t.group, resource: t.resource, name })}`;
    }
    const x = await ctx.client.getJson<Json>(path);
    if (output !== 'table') {
      ctx.io.out(dump(x, output));
      return;
    }
    const line = (h: Json) => `${h.seq}  ${shortTime(h.time)}  ${h.type} ${objectOf(h)} by ${who(h)} (${verbOf(h)})`;
    const changes = (h: Json, indent: string) => (h.type === 'ADDED' ? '' : h.change.summary.slice(0, 5).map((l: string) => `${indent}${l}\n`).join(''));
    let text = `Event ${line(x.event)}\n${changes(x.event, '    ')}`;
    if (x.causes.length) {
      text += '\nCaused by:\n';
      for (const c of x.causes) text += `  ← ${line(c.event)}${c.via === 'ownerReference' ? '  [via owner]' : ''}\n${changes(c.event, '      ')}`;
    }
    if (x.rootCause) {
      const r = x.rootCause;
      const what = r.type === 'ADDED' ? 'created' : r.type === 'DELETED' ? 'deleted' : `${r.verb === 'patch' ? 'patched' : r.verb === 'update' ? 'updated' : r.verb}`;
      text += `\nRoot cause: ${who(r)} ${what} ${objectOf(r)} at ${shortTime(r.time)} (rv ${r.seq})${r.type === 'MODIFIED' && r.change.summary.length ? `: ${r.change.summary.join('; ')}` : ''}\n`;
    } else {
      text += `\nRoot cause: unknown — ${x.incomplete}\n`;
    }
    if (x.consequences.length) {
      text += `\nConsequences (${x.consequences.length}${x.consequencesTruncated ? ', truncated' : ''}):\n`;
      for (const c of x.consequences) text += `${'  '.repeat(c.depth)}→ ${line(c.event)}${c.via === 'ownerReference' ? '  [via owner]' : ''}\n`;
    }
    ctx.io.out(text);
  },
};

// --- replay ----------------------------------------------------------------------------

export const replay: Command = {
  name: 'replay',
  aliases: ['timeline'],
  summary: 'Step through an object and everything it owns (a Deployment, its ReplicaSets, their Pods) over a window; with --reconcile, run a controller again, dry, as of then.',
  usage:
    'logbook replay TYPE/NAME [-n NS] [--since TIME] [--until TIME] [--from-rv RV] [--to-rv RV] [-o table|json|yaml]\n' +
    '  logbook replay TYPE/NAME --reconcile CONTROLLER --at RV|TIME [-n NS] [-o table|json|yaml]        (one reconcile, dry)\n' +
    '  logbook replay TYPE/NAME --reconcile CONTROLLER [--since ...|--from-rv ...] [-o table|json|yaml] (one per change of the window)',
  flags: [...WINDOW_FLAGS, { name: 'reconcile' }, { name: 'at' }],
  async run(ctx) {
    const output = parseOutput(ctx.args.flags.get('output'), ['table', 'json', 'yaml'], 'table');
    const { type, name } = parseObjectArgs(ctx.args.positionals);
    if (!type || !name) throw new UsageError('replay needs an object: TYPE/NAME');
    const t = await ctx.resolver.resolve(type);
    if (ctx.args.flags.has('at') && !ctx.args.flags.has('reconcile')) throw new UsageError('--at goes with --reconcile CONTROLLER');
    const timeline = () => fetchTimeline(ctx, t, name);
    if (ctx.args.flags.has('reconcile')) {
      await replayReconcile(ctx, t, name, output, timeline);
      return;
    }
    const tl = await timeline();
    if (output !== 'table') {
      delete tl!.metadata.continue;
      ctx.io.out(dump(tl, output));
      return;
    }
    const rows = tl!.items.map((i: Json) => [
      shortTime(i.time),
      String(i.seq),
      `${'  '.repeat(i.depth)}${i.kind}/${i.name}`,
      i.type,
      i.actor,
      i.subresource ? `${i.verb}/${i.subresource}` : i.verb,
      i.state.text,
    ]);
    ctx.io.out(`Timeline of ${t.kind} ${t.namespaced ? `${ctx.namespace}/` : ''}${name}: ${tl!.items.length} events, ${tl!.objects.length} objects\n\n`);
    if (tl!.initial?.length) {
      ctx.io.out('Before the window:\n');
      const before = tl!.initial.map((i: Json) => [`  ${'  '.repeat(i.depth)}${i.kind}/${i.name}`, `rv ${i.seq}`, i.state.text]);
      ctx.io.out(formatTable(['  OBJECT', 'AS OF', 'STATE'], before) + '\n');
    }
    const lines = formatTable(['TIME', 'RV', 'OBJECT', 'EVENT', 'ACTOR', 'VERB', 'STATE'], rows).split('\n');
    ctx.io.out(lines[0] + '\n');
    tl!.items.forEach((i: Json, n: number) => {
      ctx.io.out(lines[n + 1] + '\n');
      if (i.type === 'MODIFIED') for (const c of i.change.slice(0, 5)) ctx.io.out(`${' '.repeat(4 + 2 * i.depth)}${c}\n`);
    });
  },
};

/** The timeline of an object and what it owns over the window flags, every page. */
async function fetchTimeline(ctx: Context, t: ResourceType, name: string): Promise<Json> {
  const q = new URLSearchParams({ group: t.group, resource: t.resource, name });
  windowParams(ctx, q);
  const base = `${scoped(ctx, 'timeline', t)}?${q}`;
  let timeline: Json | undefined;
  let cont = '';
  do {
    const page = await ctx.client.getJson<Json>(cont ? `${base}&continue=${encodeURIComponent(cont)}` : base);
    if (!timeline) timeline = page;
    else timeline.items.push(...page.items);
    cont = page.metadata.continue ?? '';
    if (ctx.io.progress && cont) ctx.io.err(`\r${timeline!.items.length} events…`);
  } while (cont);
  if (ctx.io.progress && timeline!.items.length >= 500) ctx.io.err('\r\x1b[K');
  return timeline;
}

/**
 * `replay --reconcile`: the controller's reconcile of the object, dry, at
 * one point (`--at`) or at every resourceVersion of the window's timeline.
 */
async function replayReconcile(ctx: Context, t: ResourceType, name: string, output: string, timeline: () => Promise<Json>): Promise<void> {
  const { CliPastReader, findController, renderReport, replayAt, stepRow } = await import('./replay-reconcile');
  const controller = findController(ctx.args.flags.get('reconcile')!);
  if (controller.kind !== t.kind) throw new UsageError(`the ${controller.name} controller reconciles ${controller.kind}s, not ${t.kind}s`);
  const reader = new CliPastReader(ctx.client);
  const request = { namespace: t.namespaced ? ctx.namespace : '', name };
  const at = ctx.args.flags.get('at');
  if (at !== undefined) {
    const res = await ctx.client.get(`${GV}/asof/${encodeURIComponent(at)}/api/v1/namespaces?limit=1`);
    const rv = String(res.headers['x-logbook-resource-version']);
    const events = await ctx.client.getJson<Json>(`${GV}/history?${new URLSearchParams({ fromResourceVersion: rv, toResourceVersion: rv, limit: '1' })}`);
    const time = events.items[0] ? new Date(events.items[0].time) : undefined;
    const report = await replayAt(reader, controller, request, rv, time);
    if (output !== 'table') {
      ctx.io.out(dump(report, output as 'json' | 'yaml'));
      return;
    }
    // The state of everything the object owned then: the timeline's states just before the next resourceVersion.
    const next = String(Number(rv) + 1);
    const q = new URLSearchParams({ group: t.group, resource: t.resource, name, fromResourceVersion: next, toResourceVersion: next, limit: '1' });
    const owned = await ctx.client.getJson<Json>(`${scoped(ctx, 'timeline', t)}?${q}`).then((tl) => tl.initial ?? [], () => []);
    ctx.io.out(renderReport(report, time, owned));
    return;
  }
  const steps: Json[] = (await timeline()).items;
  const seen = new Set<string>();
  const points = steps.filter((i) => !seen.has(i.resourceVersion) && seen.add(i.resourceVersion));
  if (points.length === 0) {
    ctx.io.err('No changes in the window: nothing to replay.\n');
    return;
  }
  const reports = [];
  const rows: string[][] = [];
  for (const [n, p] of points.entries()) {
    if (ctx.io.progress) ctx.io.err(`\r${progressBar(n, points.length)} step ${n + 1}/${points.length}`);
    const report = await replayAt(reader, controller, request, p.resourceVersion, new Date(p.time));
    reports.push(report);
    rows.push([...stepRow(report, shortTime(p.time)), `${p.kind}/${p.name} ${p.type.toLowerCase()}`]);
  }
  if (ctx.io.progress) ctx.io.err('\r\x1b[K');
  if (output !== 'table') {
    ctx.io.out(dump({ kind: 'ReplayList', apiVersion: 'logbook.io/v1', items: reports }, output as 'json' | 'yaml'));
    return;
  }
  ctx.io.out(`Replay of ${controller.name} for ${t.kind} ${request.namespace ? `${request.namespace}/` : ''}${name} at each of ${points.length} changes, dry: nothing was sent.\n\n`);
  const [rv, time, result, writes, change] = [0, 1, 2, 3, 4];
  ctx.io.out(formatTable(['RV', 'TIME', 'CHANGE', 'RESULT', 'WOULD WRITE'], rows.map((r) => [r[rv], r[time], r[change], r[result], r[writes]])));
}

/** `[#####     ]` for step `n` of `total`. */
function progressBar(n: number, total: number, width = 20): string {
  const done = Math.round((n / total) * width);
  return `[${'#'.repeat(done)}${' '.repeat(width - done)}]`;
}

// --- audit ---------------------------------------------------------------------------------

export const audit: Command = {
  name: 'audit',
  summary: 'Export the changes of a window as audit.k8s.io/v1 Events, one JSON object per line (for existing audit tooling).',
  usage: 'logbook audit [export] [-n NS | -A] [--since TIME] [--until TIME] [--from-rv RV] [--to-rv RV] [--actor USER] [--verb VERB] [-o jsonl|table]',
  flags: [...WINDOW_FLAGS, { name: 'actor' }, { name: 'verb' }],
  async run(ctx) {
    const output = parseOutput(ctx.args.flags.get('output'), ['jsonl', 'table'], 'jsonl');
    const positionals = ctx.args.positionals;
    if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'export')) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const q = new URLSearchParams();
    windowParams(ctx, q);
    for (const flag of ['actor', 'verb']) if (ctx.args.flags.has(flag)) q.set(flag, ctx.args.flags.get(flag)!);
    // Without -n, the export covers the whole cluster.
    const path = ctx.args.flags.has('namespace') && !ctx.allNamespaces ? `${GV}/namespaces/${encodeURIComponent(ctx.namespace)}/audit` : `${GV}/audit`;
    let n = 0;
    const rows: string[][] = [];
    await ctx.client.lines(`${path}?${q}`, (line) => {
      const e = JSON.parse(line);
      if (e.kind === 'Status') throw new Error(e.message);
      n++;
      if (output === 'jsonl') ctx.io.out(line + '\n');
      else rows.push([e.stageTimestamp.replace(/\.\d+Z$/, 'Z'), e.user.username, e.verb, e.requestURI, String(e.responseStatus.code)]);
      if (ctx.io.progress && n % 1000 === 0) ctx.io.err(`\r${n} events…`);
    });
    if (ctx.io.progress && n >= 1000) ctx.io.err('\r\x1b[K');
    if (output === 'table') ctx.io.out(formatTable(['TIME', 'USER', 'VERB', 'URI', 'CODE'], rows));
  },
};

// --- diff ---------------------------------------------------------------------------------------

export const diff: Command = {
  name: 'diff',
  summary: 'What changed in an object between two resourceVersions or times (the second defaults to now).',
  usage: 'logbook diff TYPE/NAME FROM [TO] [-n NS] [-o table|json|yaml]      (FROM, TO: a resourceVersion, an RFC 3339 time, or a duration ago such as 2h)',
  flags: [],
  async run(ctx) {
    const output = parseOutput(ctx.args.flags.get('output'), ['table', 'json', 'yaml'], 'table');
    const [object, from, to, ...extra] = ctx.args.positionals;
    if (!object || !from || extra.length) throw new UsageError('diff needs an object and one or two points: TYPE/NAME FROM [TO]');
    const { type, name } = parseObjectArgs([object]);
    if (!name) throw new UsageError('diff needs TYPE/NAME');
    const t = await ctx.resolver.resolve(type!);
    const q = new URLSearchParams({ group: t.group, resource: t.resource, name, from });
    if (to) q.set('to', to);
    const d = await ctx.client.getJson<Json>(`${scoped(ctx, 'diff', t)}?${q}`);
    if (output !== 'table') {
      ctx.io.out(dump(d, output));
      return;
    }
    const rvs = (p: Json) => (p.objectResourceVersion ? `rv ${p.objectResourceVersion}` : 'absent');
    ctx.io.out(`${t.kind} ${t.namespaced ? `${ctx.namespace}/` : ''}${name}: ${rvs(d.from)} (as of ${d.from.resourceVersion}) → ${rvs(d.to)} (as of ${d.to.resourceVersion})\n`);
    ctx.io.out(d.summary.length ? d.summary.map((l: string) => `  ${l}\n`).join('') : '  (no changes)\n');
  },
};

// --- get --as-of -------------------------------------------------------------------------------

export const get: Command = {
  name: 'get',
  summary: 'Get or list objects as they were at a resourceVersion or a time.',
  usage: 'logbook get TYPE[/NAME] [NAME] --as-of RV|TIME [-n NS | -A] [-l SELECTOR] [-o table|wide|json|yaml]',
  flags: [{ name: 'as-of' }, { name: 'selector', short: 'l' }],
  async run(ctx) {
    const f = ctx.args.flags;
    const output = parseOutput(f.get('output'), ['table', 'wide', 'json', 'yaml'], 'table');
    const point = f.get('as-of');
    if (!point) throw new UsageError('get needs --as-of RV|TIME (for the present, use kubectl get)');
    const { type, name } = parseObjectArgs(ctx.args.positionals);
    if (!type) throw new UsageError('get needs a type: TYPE[/NAME]');
    const t = await ctx.resolver.resolve(type);
    const q = new URLSearchParams();
    if (f.has('selector')) q.set('labelSelector', f.get('selector')!);
    const path = `${GV}/asof/${encodeURIComponent(point)}${apiPath(t, ctx.allNamespaces && !name ? undefined : ctx.namespace, name)}${q.size ? `?${q}` : ''}`;
    if (output === 'json' || output === 'yaml') {
      ctx.io.out(dump(await ctx.client.getJson(path), output));
      return;
    }
    const res = await ctx.client.get(path, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    const table = JSON.parse(res.body);
    const rv = res.headers['x-logbook-resource-version'];
    const columns: Json[] = table.columnDefinitions.map((c: Json, i: number) => ({ ...c, i })).filter((c: Json) => output === 'wide' || c.priority === 0);
    const showNs = ctx.allNamespaces && t.namespaced && !name;
    const header = [...(showNs ? ['NAMESPACE'] : []), ...columns.map((c) => c.name.toUpperCase())];
    const rows = table.rows.map((r: Json) => [...(showNs ? [r.object?.metadata?.namespace ?? ''] : []), ...columns.map((c) => String(r.cells[c.i] ?? ''))]);
    if (rows.length === 0) {
      ctx.io.err(`No resources found${ctx.allNamespaces || !t.namespaced ? '' : ` in ${ctx.namespace} namespace`} as of resourceVersion ${rv}.\n`);
      return;
    }
    ctx.io.out(`# as of resourceVersion ${rv}\n` + formatTable(header, rows));
  },
};

export const COMMANDS: Command[] = [history, explain, replay, diff, audit, get];
