import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, BrowserContext } from 'playwright-core';
import type { Deployment } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { DeploymentReconciler, ReplicaSetReconciler } from '@logbook/controllers';
import { aDeployment, eventually, startSimulatedCluster, SimulatedCluster } from '../../libs/controllers/src/testing';

/**
 * The rollout page `/ui/` in headless Chromium (Debian's, driven by
 * playwright-core): a small rollout (web v1 → v2) on a simulated cluster,
 * then the chart of each ReplicaSet's desired and ready replicas, the
 * events with actor, cause and change, a screenshot, and the slider moved
 * back to show the state at an earlier point.
 */
describe('the rollout page /ui/', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;
  let browser: BrowserContext;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-ui-'));
  const key = { namespace: 'default', name: 'web' };

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 1 });
    manager = new ControllerManager({ server: cluster.url });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new DeploymentReconciler());
    await manager.start();
    const d: Deployment = aDeployment('web').withReplicas(2).withImage('nginx:1.24').rollingUpdate({ maxSurge: 1, maxUnavailable: 0 }).build();
    await cluster.client.create(kinds.Deployment, d);
    const done = async (image: string) => {
      const dep = await cluster.client.get(kinds.Deployment, key);
      return dep.spec?.template?.spec?.containers[0].image === image && dep.status?.observedGeneration === dep.metadata?.generation && dep.status?.updatedReplicas === 2 && dep.status.availableReplicas === 2 && dep.status.replicas === 2;
    };
    await eventually(() => done('nginx:1.24'), { what: 'v1 rolled out', timeoutMs: 60_000 });
    await cluster.client.patch(kinds.Deployment, key, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } }, { type: 'strategic' });
    await eventually(() => done('nginx:1.25'), { what: 'v2 rolled out', timeoutMs: 60_000 });
    // A fresh profile (--user-data-dir) for this run.
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1000, height: 1100 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await manager?.stop();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('charts each ReplicaSet, lists the events beneath, and the slider shows the state at any point', async () => {
    const page = await browser.newPage();
    await page.goto(`${cluster.url}/ui/?namespace=default&kind=Deployment&name=web`);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined);
    expect(await page.locator('#status').textContent()).toBe('');
    expect(await page.locator('#title').textContent()).toMatch(/^Deployment default\/web: \d+ events, \d+ objects$/);

    // Two ReplicaSets, each with a desired and a ready line; the legend names their images.
    const series = page.locator('#chart svg g.series');
    expect(await series.count()).toBe(2);
    const legend = await page.locator('#legend').textContent();
    expect(legend).toContain('(nginx:1.24)');
    expect(legend).toContain('(nginx:1.25)');
    for (let i = 0; i < 2; i++) {
      expect(await series.nth(i).locator('polyline.desired').count()).toBe(1);
      expect((await series.nth(i).locator('polyline.ready').getAttribute('points'))!.split(' ').length).toBeGreaterThan(2);
    }
    // The old ReplicaSet's desired line ends at 0 (the bottom), the new one's at the top (2 of 2).
    const lastY = async (rs: string, line: string) => Number((await page.locator(`g.series[data-rs="${rs}"] polyline.${line}`).getAttribute('points'))!.split(' ').pop()!.split(',')[1]);
    const sets = await series.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-rs')!));
    const rsList = (await cluster.client.list(kinds.ReplicaSet, { namespace: 'default' })).items;
    const v1 = rsList.find((r) => r.spec?.template?.spec?.containers[0].image === 'nginx:1.24')!.metadata!.name!;
    const v2 = rsList.find((r) => r.spec?.template?.spec?.containers[0].image === 'nginx:1.25')!.metadata!.name!;
    expect(sets.sort()).toEqual([v1, v2].sort());
    expect(await lastY(v1, 'desired')).toBeGreaterThan(await lastY(v2, 'desired'));
    expect(await lastY(v2, 'ready')).toBe(await lastY(v2, 'desired'));

    // The events, with actor, cause and change.
    const rows = page.locator('#events tbody tr');
    const n = await rows.count();
    expect(n).toBeGreaterThan(6);
    const text = (await page.locator('#events tbody').innerText()).split('\n').join(' ');
    expect(text).toMatch(/Deployment\/web\s+MODIFIED\s+\S+\s+patch\s+\s*spec\.template\.spec\.containers\[web\]\.image: nginx:1\.24 → nginx:1\.25/);
    expect(text).toMatch(new RegExp(`ReplicaSet/${v2}\\s+ADDED\\s+\\S+\\s+create\\s+← \\d+\\s+created`));
    expect(text).toMatch(/Pod\/web-\w+-\w+\s+ADDED/);

    // A screenshot of the whole page: a real PNG, not a blank one.
    const file = path.join(dir, 'timeline.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = fs.readFileSync(file);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(20_000);

    // At the end the state is the final one; moved back to the first event, only the Deployment exists, just created.
    expect(await page.locator(`#state li[data-name="${v1}"]`).textContent()).toMatch(/replicas 0, /);
    await page.locator('#slider').fill('0');
    expect(await page.locator('#at').textContent()).toMatch(/^State at resourceVersion \d+ \(.*\), after ADDED Deployment\/web by admin$/);
    expect(await page.locator('#state li').allTextContents()).toEqual([expect.stringMatching(/^Deployment\/web: replicas 2, updated 0, ready 0, available 0, image nginx:1\.24/)]);
    expect(await page.locator('#events tbody tr.current').count()).toBe(1);
    expect(await page.locator('#events tbody tr.future').count()).toBe(n - 1);
    // The cursor moved to the left edge of the chart.
    expect(Number(await page.locator('#cursor').getAttribute('x1'))).toBeLessThan(50);
    await page.close();
  });

  it('serves the page without a framework or a build step; other paths are a 404 Status', async () => {
    const res = await fetch(`${cluster.url}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toMatch(/^<!doctype html>[\s\S]*<script>[\s\S]*<\/script>/);
    const redirect = await fetch(`${cluster.url}/ui?name=web`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/ui/?name=web']);
    const missing = await fetch(`${cluster.url}/ui/nothing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    const post = await fetch(`${cluster.url}/ui/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
