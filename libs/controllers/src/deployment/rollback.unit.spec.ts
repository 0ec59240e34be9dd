import { aDeployment, aReplicaSet } from './fixtures';
import { CHANGE_CAUSE_ANNOTATION, DEPRECATED_ROLLBACK_TO_ANNOTATION, LAST_APPLIED_CONFIG_ANNOTATION, REVISION_ANNOTATION } from './revisions';
import { rollbackTo, withTemplateOf } from './rollback';

describe('rollback (deprecated.deployment.rollback.to)', () => {
  it('reads the requested revision; not an integer means no rollback', () => {
    expect(rollbackTo(aDeployment().build())).toBeUndefined();
    expect(rollbackTo(aDeployment().annotate(DEPRECATED_ROLLBACK_TO_ANNOTATION, '2').build())).toBe(2);
    expect(rollbackTo(aDeployment().annotate(DEPRECATED_ROLLBACK_TO_ANNOTATION, '0').build())).toBe(0);
    expect(rollbackTo(aDeployment().annotate(DEPRECATED_ROLLBACK_TO_ANNOTATION, 'last').build())).toBeUndefined();
  });

  it("takes the ReplicaSet's template without its hash, and its change-cause, keeping the Deployment's own annotations", () => {
    const d = aDeployment()
      .image('luksa/kubia:v3')
      .annotate(CHANGE_CAUSE_ANNOTATION, 'v3')
      .annotate(REVISION_ANNOTATION, '3')
      .annotate(LAST_APPLIED_CONFIG_ANNOTATION, '{}')
      .build();
    const rs = aReplicaSet('kubia-v1').image('luksa/kubia:v1', '5b9f8f4d84').revision(1).annotate(CHANGE_CAUSE_ANNOTATION, 'v1').build();
    const out = withTemplateOf(d, rs);
    expect(out.spec!.template!.metadata!.labels).toEqual({ app: 'kubia' });
    expect(out.spec!.template!.spec!.containers[0].image).toBe('luksa/kubia:v1');
    expect(out.metadata!.annotations).toEqual({ [CHANGE_CAUSE_ANNOTATION]: 'v1', [REVISION_ANNOTATION]: '3', [LAST_APPLIED_CONFIG_ANNOTATION]: '{}' });
    expect(d.spec!.template!.spec!.containers[0].image).toBe('luksa/kubia:v3'); // the input is left alone
  });
});
