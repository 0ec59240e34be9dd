/**
 * One pass of the StatefulSet algorithm over the set's pods (Kubernetes'
 * updateStatefulSet):
 *
 * 1. Sort pods into `replicas` (ordinals in range, at their index; missing
 *    ones planned at the revision they belong to) and `condemned` (out of
 *    range, highest ordinal first).
 * 2. Replicas in ordinal order: a Failed/Succeeded pod is deleted (and made
 *    again next time); a missing pod is created with its claims; identity
 *    and storage are restored. With OrderedReady ("monotonic"), the pass
 *    stops at the first pod it creates, or that is terminating, or not yet
 *    Running and Ready (and available for minReadySeconds): pod N+1 is made
 *    only once pods 0..N are ready. Parallel does them all at once.
 * 3. Condemned pods, highest ordinal first: OrderedReady deletes one at a
 *    time and only while every other pod is healthy.
 * 4. RollingUpdate: the pod with the highest ordinal ≥ partition that is not
 *    at the update revision is deleted (step 2 re-creates it at the update
 *    revision); one at a time, waiting for each to be available again.
 *    OnDelete: pods change revision only when someone deletes them.
 *
 * It returns the status to record; the caller writes it.
 */
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '@logbook/api';
import { endOrdinal, identityMatches, newStatefulSetPod, ordinalOf, podRevision, startOrdinal, storageMatches } from './identity';
import { countReplicas, isCreated, isFailedOrSucceeded, isRunningAndAvailable, isRunningAndReady, isTerminating, isUnavailable } from './replica-status';
import { applyRevision } from './revisions';
import type { StatefulPodControl } from './stateful-pod-control';

/** The pod at `ordinal` that the controller would create: at the current revision below the partition, else the update revision. */
export function newVersionedPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = strategy?.rollingUpdate?.partition;
  const belowPartition =
    rolling &&
    (partition === undefined
      ? ordinal < startOrdinal(currentSet) + (currentSet.status?.currentReplicas ?? 0)
      : ordinal < startOrdinal(currentSet) + partition);
  return belowPartition ? newStatefulSetPod(currentSet, ordinal, currentRevision) : newStatefulSetPod(updateSet, ordinal, updateRevision);
}

export interface UpdateInput {
  set: StatefulSet;
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  collisionCount: number;
  pods: Pod[];
  control: StatefulPodControl;
  now: () => number;
}

export async function updateStatefulSet(input: UpdateInput): Promise<StatefulSetStatus> {
  const { set, currentRevision, updateRevision, control, now } = input;
  const currentName = currentRevision.metadata!.name!;
  const updateName = updateRevision.metadata!.name!;
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;

  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: input.collisionCount,
    replicas: 0,
  };
  const recount = (...lists: Pod[][]) => Object.assign(status, countReplicas(lists.flat(), minReadySeconds, currentName, updateName, now()));
  recount(input.pods);

  const start = startOrdinal(set);
  const end = endOrdinal(set);
  const replicas: Pod[] = new Array(Math.max(0, end - start + 1));
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord <= end) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  for (let ord = start; ord <= end; ord++) {
    replicas[ord - start] ??= newVersionedPod(currentSet, updateSet, currentName, updateName, ord);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  let firstUnavailable: Pod | undefined;
  for (const pod of [...replicas, ...[...condemned].reverse()]) {
    if (isUnavailable(pod, minReadySeconds, now())) {
      firstUnavailable = pod;
      break;
    }
  }

  if (set.metadata?.deletionTimestamp) return status;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const done = () => {
    recount(replicas.filter(isCreated), condemned);
    return status;
  };

  // 2. Replicas, in order.
  const processReplica = async (i: number): Promise<boolean> => {
    const pod = replicas[i];
    if (isFailedOrSucceeded(pod)) {
      if (!isTerminating(pod)) await control.deletePod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      if (await control.podClaimIsStale(set, pod)) return true;
      await control.createPod(set, pod);
      return monotonic;
    }
    if (pod.status?.phase === 'Pending' || !pod.status?.phase) await control.createMissingClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReadySeconds, now()))) return true;
    const retentionMatches = await control.claimsMatchRetentionPolicy(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatches) return false;
    await control.updatePod(updateSet, pod);
    if (!retentionMatches) await control.updateClaimsForRetentionPolicy(updateSet, pod);
    return false;
  };
  if (await runForAll(replicas.length, processReplica, monotonic)) return done();

  // Claims of condemned pods get the owners the retention policy asks for before the pods go.
  const fixClaims = async (i: number): Promise<boolean> => {
    if (!(await control.claimsMatchRetentionPolicy(updateSet, condemned[i]))) await control.updateClaimsForRetentionPolicy(updateSet, condemned[i]);
    return false;
  };
  if (await runForAll(condemned.length, fixClaims, monotonic)) return done();

  // 3. Condemned pods, highest ordinal first.
  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    if (monotonic && pod !== firstUnavailable && !isRunningAndAvailable(pod, minReadySeconds, now())) return true;
    await control.deletePod(set, pod);
    return true;
  };
  if (await runForAll(condemned.length, processCondemned, monotonic)) return done();

  done();
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'OnDelete') return status;

  // 4. Rolling update, highest ordinal first, down to the partition.
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target];
    if (podRevision(pod) !== updateName && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return status;
    }
    if (isUnavailable(pod, minReadySeconds, now())) return status;
  }
  return status;
}

/**
 * Runs `fn` over indexes 0..n-1: in order, stopping when it returns true
 * (monotonic); else all at once in slow-start batches (1, 2, 4, ...),
 * stopping at the first batch with an error. True: stop the pass here.
 */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  for (let batch = Math.min(1, n); batch > 0; batch = Math.min(2 * batch, n - next, 500)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, k) => fn(next + k)));
    next += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return false;
}
