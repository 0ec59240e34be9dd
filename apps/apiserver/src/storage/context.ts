import type { Provenance } from '@logbook/event-store';

/** Who is asking, as authentication established it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What a write needs to know about the request that makes it. */
export interface RequestContext {
  user: UserInfo;
  verb: string;
  subresource?: string;
  fieldManager?: string;
  userAgent?: string;
  requestId: string;
  /** The event a controller was reconciling (X-Logbook-Cause-Seq). */
  causeSeq?: number;
  dryRun: boolean;
}

export function provenanceOf(ctx: RequestContext, verb = ctx.verb): Provenance {
  const p: Provenance = {
    actor: { user: ctx.user.username, groups: ctx.user.groups },
    verb,
    requestId: ctx.requestId,
  };
  if (ctx.user.uid) p.actor.uid = ctx.user.uid;
  if (ctx.subresource) p.subresource = ctx.subresource;
  if (ctx.fieldManager) p.fieldManager = ctx.fieldManager;
  if (ctx.userAgent) p.userAgent = ctx.userAgent;
  if (ctx.causeSeq !== undefined) p.causeSeq = ctx.causeSeq;
  return p;
}
