import { aDeployment, aReplicaSet } from './fixtures';
import {
  CHANGE_CAUSE_ANNOTATION,
  copyDeploymentAnnotationsToReplicaSet,
  DESIRED_REPLICAS_ANNOTATION,
  LAST_APPLIED_CONFIG_ANNOTATION,
  lastRevision,
  MAX_REPLICAS_ANNOTATION,
  maxRevision,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from './revisions';

describe('revisions', () => {
  it('reads revisions (none is 0, garbage is skipped) and finds the latest and the previous one', () => {
    const rss = [aReplicaSet('a').revision(1).build(), aReplicaSet('b').revision(3).build(), aReplicaSet('c').revision(2).build(), aReplicaSet('d').build()];
    expect(rss.map(revisionOf)).toEqual([1, 3, 2, 0]);
    expect(revisionOf(aReplicaSet('x').revision('two').build())).toBeUndefined();
    expect(maxRevision(rss)).toBe(3);
    expect(lastRevision(rss)).toBe(2);
    expect(lastRevision([aReplicaSet('a').revision(1).build()])).toBe(0);
    expect(maxRevision([])).toBe(0);
  });

  it("gives a new ReplicaSet the next revision, the Deployment's annotations and its sizes", () => {
    const d = aDeployment()
      .replicas(3)
      .rollingUpdate(1, 0)
      .annotate(CHANGE_CAUSE_ANNOTATION, 'kubectl set image deployment kubia nodejs=luksa/kubia:v2')
      .annotate(REVISION_ANNOTATION, '1')
      .annotate(LAST_APPLIED_CONFIG_ANNOTATION, '{}')
      .build();
    const rs = aReplicaSet('kubia-new').build();
    expect(setNewReplicaSetAnnotations(d, rs, 2, false)).toBe(true);
    expect(rs.metadata!.annotations).toEqual({
      [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image deployment kubia nodejs=luksa/kubia:v2',
      [REVISION_ANNOTATION]: '2',
      [DESIRED_REPLICAS_ANNOTATION]: '3',
      [MAX_REPLICAS_ANNOTATION]: '4',
    });
    expect(setNewReplicaSetAnnotations(d, rs, 2, true)).toBe(false);
  });

  it('records the former revision in revision-history when an old ReplicaSet becomes the new one (a rollback)', () => {
    const d = aDeployment().build();
    const rs = aReplicaSet('kubia-v1').revision(1).build();
    expect(setNewReplicaSetAnnotations(d, rs, 3, true)).toBe(true);
    expect(rs.metadata!.annotations![REVISION_ANNOTATION]).toBe('3');
    expect(rs.metadata!.annotations![REVISION_HISTORY_ANNOTATION]).toBe('1');
    setNewReplicaSetAnnotations(d, rs, 5, true);
    expect(rs.metadata!.annotations![REVISION_ANNOTATION]).toBe('5');
    expect(rs.metadata!.annotations![REVISION_HISTORY_ANNOTATION]).toBe('1,3');
    // Existing ReplicaSets keep their sizes: only the rollout changes them.
    expect(rs.metadata!.annotations![DESIRED_REPLICAS_ANNOTATION]).toBeUndefined();
  });

  it('never lowers a revision, and drops the oldest history entries past the length limit', () => {
    const rs = aReplicaSet('a').revision(7).build();
    expect(setNewReplicaSetAnnotations(aDeployment().build(), rs, 4, true)).toBe(false);
    expect(rs.metadata!.annotations![REVISION_ANNOTATION]).toBe('7');
    const long = aReplicaSet('b').revision(9).annotate(REVISION_HISTORY_ANNOTATION, '1,3,5,7').build();
    setNewReplicaSetAnnotations(aDeployment().build(), long, 10, true, 6);
    expect(long.metadata!.annotations![REVISION_HISTORY_ANNOTATION]).toBe('5,7,9');
  });

  it("copies the Deployment's own annotations but not those that belong to it alone", () => {
    const d = aDeployment().annotate('team', 'a').annotate(REVISION_ANNOTATION, '4').annotate(DESIRED_REPLICAS_ANNOTATION, '9').build();
    const rs = aReplicaSet('a').annotate('team', 'a').build();
    expect(copyDeploymentAnnotationsToReplicaSet(d, rs)).toBe(false);
    d.metadata!.annotations!.team = 'b';
    expect(copyDeploymentAnnotationsToReplicaSet(d, rs)).toBe(true);
    expect(rs.metadata!.annotations).toEqual({ team: 'b' });
  });

  it("sets the Deployment's revision only when it differs", () => {
    const d = aDeployment().build();
    expect(setDeploymentRevision(d, '2')).toBe(true);
    expect(setDeploymentRevision(d, '2')).toBe(false);
    expect(d.metadata!.annotations![REVISION_ANNOTATION]).toBe('2');
  });
});
