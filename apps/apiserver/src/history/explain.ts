import type { HistoryQueries, StoredEvent } from '@logbook/event-store';
import { GROUP_VERSION, HistoryEvent } from './history-event';
import { HistoryRenderer } from './renderer';

/** How one event led to another. */
export type Link = 'causeSeq' | 'ownerReference';

export interface ExplainedCause {
  /** How the event below this one in the chain points here. */
  via: Link;
  event: HistoryEvent;
}

export interface Consequence {
  via: Link;
  /** The event this one was caused by. */
  causedBy: number;
  /** 1 for direct consequences, 2 for theirs, ... */
  depth: number;
  event: HistoryEvent;
}

export interface Explanation {
  kind: 'Explanation';
  apiVersion: typeof GROUP_VERSION;
  metadata: { name: string };
  event: HistoryEvent;
  /** From the event's direct cause back to the root cause. */
  causes: ExplainedCause[];
  /** The first action of an identity that is not `system:` (a person or a non-system client); may be the event itself. */
  rootCause: HistoryEvent | null;
  /** Why the chain stops short of a root cause, if it does. */
  incomplete?: string;
  /** Everything the event caused, transitively, in seq order. */
  consequences: Consequence[];
  consequencesTruncated?: boolean;
}

const MAX_CHAIN = 100;
const MAX_DEPTH = 20;
const MAX_CONSEQUENCES = 1000;

export const isSystemActor = (user: string): boolean => user.startsWith('system:');

interface OwnerRef {
  uid?: string;
  controller?: boolean;
}

/** The owner a write without a cause is attributed to: the controller reference, else the first. */
export function attributedOwner(e: StoredEvent): string | undefined {
  const refs = (e.object.metadata?.ownerReferences as OwnerRef[] | undefined) ?? [];
  return (refs.find((r) => r.controller === true) ?? refs[0])?.uid;
}

/**
 * The causal chain of an event. Backwards: through `cause_seq`, or, for a
 * `system:` writer that sent none, through its object's owner (the owner's
 * latest event before it), until an event whose actor is not a `system:`
 * identity. Forwards: every event whose cause is this one, and the
 * uncaused `system:` writes to objects it owns made before its object's next
 * change, transitively.
 */
export class Explainer {
  constructor(
    private readonly queries: HistoryQueries,
    private readonly renderer: HistoryRenderer,
  ) {}

  async explain(event: StoredEvent): Promise<Explanation> {
    const chain: Array<{ via: Link; event: StoredEvent }> = [];
    let current = event;
    let root: StoredEvent | null = isSystemActor(event.provenance.actor.user) ? null : event;
    let incomplete: string | undefined;
    const seen = new Set<number>([event.seq]);
    while (!root) {
      const step = await this.cause(current);
      if (!step.event) {
        incomplete = step.missing;
        break;
      }
      if (seen.has(step.event.seq) || chain.length >= MAX_CHAIN) {
        incomplete = `the chain loops or is longer than ${MAX_CHAIN} events`;
        break;
      }
      seen.add(step.event.seq);
      chain.push({ via: step.via!, event: step.event });
      current = step.event;
      if (!isSystemActor(current.provenance.actor.user)) root = current;
    }
    const forward = await this.consequences(event);
    const rendered = await this.renderer.render([event, ...chain.map((c) => c.event), ...forward.items.map((c) => c.event)]);
    const bySeq = new Map(rendered.map((h) => [h.seq, h]));
    const explanation: Explanation = {
      kind: 'Explanation',
      apiVersion: GROUP_VERSION,
      metadata: { name: String(event.seq) },
      event: bySeq.get(event.seq)!,
      causes: chain.map((c) => ({ via: c.via, event: bySeq.get(c.event.seq)! })),
      rootCause: root ? bySeq.get(root.seq)! : null,
      consequences: forward.items.map((c) => ({ via: c.via, causedBy: c.causedBy, depth: c.depth, event: bySeq.get(c.event.seq)! })),
    };
    if (incomplete) explanation.incomplete = incomplete;
    if (forward.truncated) explanation.consequencesTruncated = true;
    return explanation;
  }

  private async cause(e: StoredEvent): Promise<{ via?: Link; event?: StoredEvent; missing?: string }> {
    const causeSeq = e.provenance.causeSeq;
    if (causeSeq !== undefined) {
      const found = await this.queries.event(causeSeq);
      return found ? { via: 'causeSeq', event: found } : { missing: `cause ${causeSeq} of event ${e.seq} is not in the log (compacted, or never written)` };
    }
    const owner = attributedOwner(e);
    if (owner) {
      const found = await this.queries.latestOfUid(owner, e.seq);
      return found ? { via: 'ownerReference', event: found } : { missing: `owner ${owner} of event ${e.seq} has no earlier event in the log` };
    }
    return { missing: `event ${e.seq} by ${e.provenance.actor.user} names no cause and has no owner` };
  }

  private async consequences(root: StoredEvent): Promise<{ items: Array<{ via: Link; causedBy: number; depth: number; event: StoredEvent }>; truncated: boolean }> {
    const items: Array<{ via: Link; causedBy: number; depth: number; event: StoredEvent }> = [];
    const seen = new Set<number>([root.seq]);
    let frontier = [root];
    let truncated = false;
    for (let depth = 1; frontier.length && depth <= MAX_DEPTH && !truncated; depth++) {
      const next: StoredEvent[] = [];
      const add = (via: Link, causedBy: number, e: StoredEvent) => {
        if (seen.has(e.seq)) return;
        if (items.length >= MAX_CONSEQUENCES) {
          truncated = true;
          return;
        }
        seen.add(e.seq);
        items.push({ via, causedBy, depth, event: e });
        next.push(e);
      };
      for (const e of await this.queries.causedBy(frontier.map((f) => f.seq), MAX_CONSEQUENCES + 1)) add('causeSeq', e.provenance.causeSeq!, e);
      for (const parent of frontier) {
        const until = await this.queries.nextOfUid(parent.uid, parent.seq);
        for (const e of await this.queries.uncausedOwnedEvents(parent.uid, parent.seq, until, MAX_CONSEQUENCES + 1)) {
          if (attributedOwner(e) === parent.uid) add('ownerReference', parent.seq, e);
        }
      }
      frontier = next;
    }
    if (frontier.length && !truncated) truncated = true;
    items.sort((a, b) => a.event.seq - b.event.seq);
    return { items, truncated };
  }
}
