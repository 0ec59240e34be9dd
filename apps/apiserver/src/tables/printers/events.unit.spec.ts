import { ago, headers, ref, row, table } from '../test-helpers';

const EVENTS = ref('', 'events', 'Event');
const EVENTS_V1 = ref('events.k8s.io', 'events', 'Event');

describe('events', () => {
  it('headers: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (+ wide)', () => {
    for (const r of [EVENTS, EVENTS_V1]) {
      expect(headers(table(r, []))).toEqual({
        normal: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
        wide: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
      });
    }
  });

  it('a repeated core/v1 event', () => {
    const e = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web-0.17f1c2', namespace: 'default', creationTimestamp: ago('10m') },
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-0_default(1234)\n',
      type: 'Warning',
      count: 5,
      firstTimestamp: ago('10m'),
      lastTimestamp: ago('2m'),
      source: { component: 'kubelet', host: 'node-1' },
    };
    expect(row(EVENTS, e)).toEqual({
      'LAST SEEN': '2m',
      TYPE: 'Warning',
      REASON: 'BackOff',
      OBJECT: 'pod/web-0',
      SUBOBJECT: 'spec.containers{app}',
      SOURCE: 'kubelet, node-1',
      MESSAGE: 'Back-off restarting failed container app in pod web-0_default(1234)',
      'FIRST SEEN': '10m',
      COUNT: 5,
      NAME: 'web-0.17f1c2',
    });
  });

  it('an event with only eventTime (new API writers) counts as a singleton', () => {
    const e = {
      metadata: { name: 'x.1', creationTimestamp: ago('30s') },
      involvedObject: { kind: 'Node' },
      reason: 'RegisteredNode',
      message: 'Node node-1 event',
      type: 'Normal',
      eventTime: '2025-06-01T11:59:30.123456Z',
      reportingComponent: 'node-controller',
    };
    expect(row(EVENTS, e)).toMatchObject({ 'LAST SEEN': '29s', 'FIRST SEEN': '29s', OBJECT: 'node', SOURCE: 'node-controller', COUNT: 1 });
  });

  it('events.k8s.io/v1 events map regarding/note/series', () => {
    const e = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'job-1.abc', creationTimestamp: ago('1h') },
      regarding: { kind: 'Job', name: 'job-1' },
      note: 'Created pod: job-1-xyz',
      reason: 'SuccessfulCreate',
      type: 'Normal',
      eventTime: ago('1h'),
      series: { count: 7, lastObservedTime: ago('4m') },
      reportingController: 'job-controller',
      reportingInstance: 'kcm-1',
    };
    expect(row(EVENTS_V1, e)).toEqual({
      'LAST SEEN': '4m',
      TYPE: 'Normal',
      REASON: 'SuccessfulCreate',
      OBJECT: 'job/job-1',
      SUBOBJECT: '',
      SOURCE: 'job-controller, kcm-1',
      MESSAGE: 'Created pod: job-1-xyz',
      'FIRST SEEN': '60m',
      COUNT: 7,
      NAME: 'job-1.abc',
    });
  });
});
