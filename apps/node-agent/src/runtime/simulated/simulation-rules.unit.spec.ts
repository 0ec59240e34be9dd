import type { Container, Pod } from '@logbook/api';
import { behaviourOf, parseDuration } from './simulation-rules';

const defaults = { runMs: 1000, timeScale: 1 };
const pod = (container: Partial<Container>, opts: { annotations?: Record<string, string>; restartPolicy?: 'Always' | 'OnFailure' | 'Never' } = {}): [Pod, Container] => {
  const c: Container = { name: 'c', image: 'luksa/kubia', ...container };
  return [{ metadata: { name: 'p', annotations: opts.annotations }, spec: { containers: [c], restartPolicy: opts.restartPolicy } }, c];
};
const of = (container: Partial<Container>, opts?: Parameters<typeof pod>[1]) => behaviourOf(...pod(container, opts), defaults);

describe('how a simulated container behaves', () => {
  it('runs a server image until stopped, ready at once', () => {
    expect(of({})).toEqual({ outcome: 'run', runMs: 1000, neverReady: false, readyAfterMs: 0 });
  });

  it('completes batch-job images after the run time, whatever their registry or tag', () => {
    expect(of({ image: 'luksa/batch-job' }).outcome).toBe('complete');
    expect(of({ image: 'docker.io/luksa/batch-job:latest' }).outcome).toBe('complete');
    expect(of({ image: 'my-batch-job-runner:1' }).outcome).toBe('complete');
  });

  it('follows the logbook.io/simulate annotation first', () => {
    expect(of({ image: 'luksa/batch-job' }, { annotations: { 'logbook.io/simulate': 'fail' } }).outcome).toBe('fail');
    expect(of({}, { annotations: { 'logbook.io/simulate': 'unready' } })).toMatchObject({ outcome: 'run', neverReady: true });
    expect(of({}, { annotations: { 'logbook.io/simulate': 'complete', 'logbook.io/simulate-duration': '2.5s' } })).toMatchObject({ outcome: 'complete', runMs: 2500 });
  });

  it("never makes the seed's kubia:v3 ready when it has a readiness probe", () => {
    const probe = { readinessProbe: { httpGet: { path: '/', port: 8080 } } };
    expect(of({ image: 'luksa/kubia:v3', ...probe }).neverReady).toBe(true);
    expect(of({ image: 'luksa/kubia:v3' }).neverReady).toBe(false);
    expect(of({ image: 'luksa/kubia:v2', ...probe }).neverReady).toBe(false);
  });

  it('becomes ready initialDelaySeconds after starting when it has a readiness probe', () => {
    expect(of({ readinessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 3 } }).readyAfterMs).toBe(3000);
  });

  it('reads the command line: sleep N completes after N seconds, loops run forever, jobs with a command complete', () => {
    expect(of({ image: 'busybox', command: ['sleep', '3'] })).toMatchObject({ outcome: 'complete', runMs: 3000 });
    expect(of({ image: 'busybox', args: ['sh', '-c', 'sleep 1m'] })).toMatchObject({ outcome: 'complete', runMs: 60_000 });
    expect(of({ image: 'busybox', command: ['sh', '-c', 'while true; do date; sleep 5; done'] }).outcome).toBe('run');
    expect(of({ image: 'busybox', command: ['sleep', 'infinity'] }).outcome).toBe('run');
    expect(of({ image: 'perl', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] }, { restartPolicy: 'Never' }).outcome).toBe('complete');
    expect(of({ image: 'perl', command: ['perl', '-e', 'serve()'] }, { restartPolicy: 'Always' }).outcome).toBe('run');
  });

  it('lets rules given in the options come before the defaults', () => {
    const [p, c] = pod({ image: 'luksa/kubia:v3' });
    expect(behaviourOf(p, c, defaults, [{ image: /kubia:v3$/, outcome: 'fail', runMs: 50 }])).toMatchObject({ outcome: 'fail', runMs: 50 });
  });

  it('parses durations', () => {
    expect([parseDuration('500ms'), parseDuration('2s'), parseDuration('1.5m'), parseDuration('3'), parseDuration('soon')]).toEqual([500, 2000, 90_000, 3000, undefined]);
  });
});
