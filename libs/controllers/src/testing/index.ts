/**
 * Test harness for controllers: a real apiserver with the scheduler and
 * simulated nodes (`startSimulatedCluster`), and fixture builders that read
 * like the scenario (`aPod`, `aDeployment`, `aNode`, ...).
 *
 * Import it as `libs/controllers/src/testing` from a spec (tests only: it
 * starts processes and needs the compiled apiserver in dist/).
 */
export { startSimulatedCluster, isPodReady, isNodeReady } from './simulated-cluster';
export type { SimulatedCluster, SimulatedClusterOptions, NodeSpec } from './simulated-cluster';
export {
  aPod,
  aNode,
  aDeployment,
  aReplicaSet,
  aReplicationController,
  aDaemonSet,
  aStatefulSet,
  aJob,
  aCronJob,
  PodBuilder,
  NodeBuilder,
  DeploymentBuilder,
  ReplicaSetBuilder,
  ReplicationControllerBuilder,
  DaemonSetBuilder,
  StatefulSetBuilder,
  JobBuilder,
  CronJobBuilder,
} from './fixtures';
export { eventually } from '@logbook/sdk/testing';
