import { prepareForStatusUpdate } from '../defaulting/strategies';
import { seed } from '../testing/seed-manifests';
import { asCreated, messages } from '../testing/validation-fixtures';
import { validateStatusUpdate, validateUpdate } from './validate';

/** A stored pod whose spec a later, stricter rule would reject: a container name that is not a DNS label. */
function storedWithOldSpec(): Record<string, any> {
  const pod = asCreated(seed.kubiaManualPod());
  pod.spec.containers[0].name = 'Kubia_Main';
  return pod;
}

/** What the status strategy makes of a status write: the new status on the stored object. */
const statusWrite = (stored: Record<string, any>, change: (o: Record<string, any>) => void) => {
  const sent = structuredClone(stored);
  change(sent);
  return prepareForStatusUpdate(sent, stored);
};

describe('validation of status writes', () => {
  it("does not run the spec's rules again: the spec is the stored one (kube's status strategies)", () => {
    const stored = storedWithOldSpec();
    const next = statusWrite(stored, (o) => (o.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }));
    // A full update validation would refuse the unchanged spec ...
    expect(messages(validateUpdate(next, stored)).some((m) => m.startsWith('spec.containers[0].name'))).toBe(true);
    // ... a status write does not.
    expect(validateStatusUpdate(next, stored)).toEqual([]);
  });

  it('still checks the metadata update', () => {
    const stored = asCreated(seed.kubiaManualPod());
    const next = statusWrite(stored, (o) => (o.status = { phase: 'Running' }));
    next.metadata.name = 'someone-else';
    expect(messages(validateStatusUpdate(next, stored))).toEqual(messages(validateUpdate(next, stored)).filter((m) => m.startsWith('metadata.')));
    expect(messages(validateStatusUpdate(next, stored)).some((m) => m.startsWith('metadata.name'))).toBe(true);
  });
});
