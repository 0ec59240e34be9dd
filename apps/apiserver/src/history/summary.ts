/**
 * A one-line summary of an object's state, for stepping through a rollout:
 * what a controller wanted and what it had (replicas, ready counts), and
 * which images, by kind. `fields` holds the same numbers for programs (a
 * chart of desired vs ready over time).
 */
export interface StateSummary {
  text: string;
  fields: Record<string, string | number | boolean>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

function images(podSpec: Obj | undefined): string[] {
  const containers = (podSpec?.containers as Obj[] | undefined) ?? [];
  return containers.map((c) => String(c.image ?? '')).filter(Boolean);
}

function withImages(parts: string[], fields: StateSummary['fields'], imgs: string[]): StateSummary {
  if (imgs.length) {
    fields.images = imgs.join(',');
    parts.push(`image${imgs.length > 1 ? 's' : ''} ${imgs.join(',')}`);
  }
  return { text: parts.join(', '), fields };
}

export function summarize(kind: string, obj: Obj | undefined): StateSummary {
  if (!obj) return { text: '', fields: {} };
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  const terminating = obj.metadata?.deletionTimestamp ? ['terminating'] : [];
  switch (kind) {
    case 'Deployment': {
      const fields = {
        replicas: num(spec.replicas ?? 1),
        updatedReplicas: num(status.updatedReplicas),
        readyReplicas: num(status.readyReplicas),
        availableReplicas: num(status.availableReplicas),
        unavailableReplicas: num(status.unavailableReplicas),
      };
      const parts = [
        `replicas ${fields.replicas}`,
        `updated ${fields.updatedReplicas}`,
        `ready ${fields.readyReplicas}`,
        `available ${fields.availableReplicas}`,
        ...(spec.paused ? ['paused'] : []),
        ...terminating,
      ];
      const progressing = ((status.conditions as Obj[] | undefined) ?? []).find((c) => c.type === 'Progressing');
      if (progressing?.reason) parts.push(String(progressing.reason));
      return withImages(parts, fields, images(spec.template?.spec));
    }
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'StatefulSet': {
      const fields = {
        replicas: num(spec.replicas ?? 1),
        currentReplicas: num(status.replicas),
        readyReplicas: num(status.readyReplicas),
        availableReplicas: num(status.availableReplicas),
      };
      const parts = [`replicas ${fields.replicas}`, `current ${fields.currentReplicas}`, `ready ${fields.readyReplicas}`, `available ${fields.availableReplicas}`, ...terminating];
      return withImages(parts, fields, images(spec.template?.spec));
    }
    case 'DaemonSet': {
      const fields = {
        desiredNumberScheduled: num(status.desiredNumberScheduled),
        currentNumberScheduled: num(status.currentNumberScheduled),
        numberReady: num(status.numberReady),
      };
      const parts = [`desired ${fields.desiredNumberScheduled}`, `current ${fields.currentNumberScheduled}`, `ready ${fields.numberReady}`, ...terminating];
      return withImages(parts, fields, images(spec.template?.spec));
    }
    case 'Job': {
      const fields = { completions: num(spec.completions ?? 1), succeeded: num(status.succeeded), failed: num(status.failed), active: num(status.active) };
      const parts = [`completions ${fields.succeeded}/${fields.completions}`, `active ${fields.active}`, `failed ${fields.failed}`, ...terminating];
      return withImages(parts, fields, images(spec.template?.spec));
    }
    case 'Pod': {
      const statuses = (status.containerStatuses as Obj[] | undefined) ?? [];
      const containers = ((spec.containers as Obj[] | undefined) ?? []).length;
      const ready = statuses.filter((c) => c.ready === true).length;
      const restarts = statuses.reduce((n, c) => n + num(c.restartCount), 0);
      const fields: StateSummary['fields'] = { phase: String(status.phase ?? 'Pending'), ready: `${ready}/${containers}`, restarts };
      const parts = [`phase ${fields.phase}`, `ready ${fields.ready}`];
      if (spec.nodeName) {
        fields.node = String(spec.nodeName);
        parts.push(`node ${spec.nodeName}`);
      }
      if (restarts) parts.push(`restarts ${restarts}`);
      const waiting = statuses.map((c) => c.state?.waiting?.reason).filter(Boolean);
      if (waiting.length) parts.push(`waiting ${waiting.join(',')}`);
      parts.push(...terminating);
      return withImages(parts, fields, images(spec));
    }
    default: {
      const fields: StateSummary['fields'] = {};
      const parts: string[] = [...terminating];
      if (typeof obj.metadata?.generation === 'number') {
        fields.generation = obj.metadata.generation;
        parts.unshift(`generation ${obj.metadata.generation}`);
      }
      return { text: parts.join(', '), fields };
    }
  }
}
