import { getEventListeners } from 'events';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { untilApiServerAnswers } from './api-server-reachable';
import { KubeClient } from './kube-client';

describe('untilApiServerAnswers', () => {
  it('retries until the server answers, without piling abort listeners on the signal', async () => {
    // A server that refuses (503) its first requests, then lists namespaces.
    let calls = 0;
    const server = http.createServer((req, res) => {
      calls++;
      if (calls <= 5) {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, reason: 'ServiceUnavailable' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const abort = new AbortController();
    try {
      const client = new KubeClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      await untilApiServerAnswers(client, abort.signal);
      expect(calls).toBe(6);
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
    } finally {
      server.close();
    }
  });

  it('stops waiting when the signal aborts', async () => {
    const abort = new AbortController();
    const client = new KubeClient({ server: 'http://127.0.0.1:1' });
    const waiting = untilApiServerAnswers(client, abort.signal);
    setTimeout(() => abort.abort(), 300);
    await expect(waiting).rejects.toThrow('aborted');
  });
});
