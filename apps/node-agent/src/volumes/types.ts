/**
 * What the volume manager hands the container runtime: for each container,
 * the host paths to make visible inside it and where.
 */

/** One mount of a container: `hostPath` (a directory or a file) appears at `containerPath`. */
export interface ContainerMount {
  /** The volume's name in the pod spec. */
  volume: string;
  /** Absolute path on the node (the volume's directory, or what `subPath` names inside it). */
  hostPath: string;
  /** The mount's `mountPath`. */
  containerPath: string;
  readOnly: boolean;
}

/** The volumes of one pod, set up on the node. */
export interface PodVolumes {
  readonly podUid: string;
  /** The pod's directory on the node (`<root>/pods/<uid>`). */
  readonly podDir: string;
  /** The mounts of a container (init containers included), in `volumeMounts` order; [] for an unknown name. */
  mountsFor(containerName: string): ContainerMount[];
  /** Where a volume lives on the node (before any subPath), or undefined for an unknown name. */
  hostPathOf(volumeName: string): string | undefined;
}

/**
 * A volume that could not be set up (a missing ConfigMap, a claim not bound,
 * a hostPath of the wrong type). The pod stays `ContainerCreating`; the
 * message is Kubernetes' FailedMount text.
 */
export class VolumeSetUpError extends Error {
  constructor(
    readonly volume: string,
    readonly reason: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
    this.name = 'VolumeSetUpError';
  }
}
