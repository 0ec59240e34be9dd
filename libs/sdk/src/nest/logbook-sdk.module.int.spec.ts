import type { ConfigMap } from '@logbook/api';
import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as net from 'net';
import { kinds, KubeClient } from '../client';
import { ControllerConfigError, ReconcileContext, Reconciler, Request } from '../controller';
import { ControllerManager } from '../manager';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { LogbookSdkModule } from '.';

/** An ordinary Nest provider the reconciler depends on. */
@Injectable()
class Greeter {
  greet(name: string) {
    return `hello, ${name}`;
  }
}

@Reconciler({ for: kinds.ConfigMap, name: 'greeter', predicates: [(e) => e.object.metadata?.namespace === 'nest-test' && !(e.object as ConfigMap).data?.greeting] })
class GreetingReconciler implements Reconciler {
  constructor(
    private readonly greeter: Greeter,
    private readonly client: KubeClient,
  ) {}

  async reconcile(req: Request, ctx: ReconcileContext): Promise<void> {
    const cm = await ctx.cache.get(kinds.ConfigMap, req);
    if (!cm || cm.data?.greeting) return;
    await ctx.client.patch(kinds.ConfigMap, req, { data: { greeting: this.greeter.greet(req.name) } }, { type: 'merge' });
    if (!(this.client instanceof KubeClient)) throw new Error('KubeClient was not injected');
  }
}

@Module({ providers: [Greeter], exports: [Greeter] })
class GreeterModule {}

/** The usual shape: the reconciler is a provider of the feature's own module. */
@Module({ imports: [GreeterModule], providers: [GreetingReconciler] })
class GreetingFeatureModule {}

describe('LogbookSdkModule', () => {
  let server: TestApiServer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    server = await startTestApiServer();
    await server.client.create(kinds.Namespace, { metadata: { name: 'nest-test' } });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => server?.stop());

  it('runs @Reconciler providers with injected dependencies, and serves /metrics, /healthz and /readyz', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [LogbookSdkModule.forRoot({ server: server.url, identity: 'nest-test' }), GreetingFeatureModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();

    await server.client.create(kinds.ConfigMap, { metadata: { name: 'world', namespace: 'nest-test' } } as ConfigMap);
    await eventually(async () => (await server.client.get(kinds.ConfigMap, { namespace: 'nest-test', name: 'world' })).data?.greeting === 'hello, world', {
      what: 'the reconciler to greet',
    });

    await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'readiness' });
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(/controller_runtime_reconcile_total\{controller="greeter",result="success"\} [1-9]/);
    expect(app.get(ControllerManager).controller('greeter')?.isRunning).toBe(true);

    await app.close();
    app = undefined;
    expect(moduleRef.get(ControllerManager).controller('greeter')?.isRunning).toBe(false);
  });

  it("with autoStart 'whenServerAnswers', bootstraps at once, starts once the API server answers, and stops cleanly if it never did", async () => {
    // A port where nothing listens yet: the API server "comes up" there later.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const moduleRef = await Test.createTestingModule({
      imports: [LogbookSdkModule.forRoot({ server: `http://127.0.0.1:${port}`, identity: 'late', autoStart: 'whenServerAnswers', endpoints: false }), GreetingFeatureModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const manager = app.get(ControllerManager);
    expect(manager.controller('greeter')?.isRunning).toBe(false);

    const target = Number(new URL(server.url).port);
    const relay = net.createServer((c) => {
      const up = net.connect(target, '127.0.0.1');
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
    try {
      await server.client.create(kinds.ConfigMap, { metadata: { name: 'late', namespace: 'nest-test' } } as ConfigMap);
      await eventually(async () => (await server.client.get(kinds.ConfigMap, { namespace: 'nest-test', name: 'late' })).data?.greeting === 'hello, late', {
        what: 'the late-started reconciler to greet',
      });
      await app.close();
      app = undefined;
      expect(manager.controller('greeter')?.isRunning).toBe(false);
    } finally {
      relay.close();
    }

    // Never answered: closing ends the wait and starts nothing.
    const never = await Test.createTestingModule({
      imports: [LogbookSdkModule.forRoot({ server: 'http://127.0.0.1:1', identity: 'never', autoStart: 'whenServerAnswers', endpoints: false }), GreetingFeatureModule],
    }).compile();
    const neverApp = never.createNestApplication({ logger: false });
    await neverApp.init();
    const closing = Date.now();
    await neverApp.close();
    expect(Date.now() - closing).toBeLessThan(5_000);
    expect(neverApp.get(ControllerManager).controller('greeter')?.isRunning).toBe(false);
  });

  it('takes its options from a factory (forRootAsync), and can leave the endpoints to another module', async () => {
    @Module({ providers: [{ provide: 'API_URL', useValue: server.url }], exports: ['API_URL'] })
    class ConfigModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        LogbookSdkModule.forRootAsync({ imports: [ConfigModule], inject: ['API_URL'], useFactory: (url: string) => ({ server: url }), endpoints: false }),
        GreetingFeatureModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    expect(app.get(KubeClient).server).toBe(server.url);
    await server.client.create(kinds.ConfigMap, { metadata: { name: 'async', namespace: 'nest-test' } } as ConfigMap);
    await eventually(async () => (await server.client.get(kinds.ConfigMap, { namespace: 'nest-test', name: 'async' })).data?.greeting === 'hello, async', {
      what: 'the reconciler to greet',
    });
    expect((await fetch(`${await app.getUrl()}/metrics`)).status).toBe(404);
  });

  it('reports /readyz failures check by check', async () => {
    @Reconciler({ for: { group: 'example.com', version: 'v1', kind: 'Missing', plural: 'missings', namespaced: true }, name: 'missing' })
    class MissingKindReconciler implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [LogbookSdkModule.forRoot({ server: server.url, informers: { backoff: { initialMs: 50, maxMs: 200 } } }), LogbookSdkModule.forFeature([MissingKindReconciler])],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`${await app.getUrl()}/readyz`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toContain('[+]manager ok');
    expect(body).toContain('[-]informer:missings.example.com failed: not synced');
    expect(body).toContain('readyz check failed');
  });

  it('turns misuse into clear errors at start', async () => {
    class NotDecorated implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    expect(() => LogbookSdkModule.forFeature([NotDecorated])).toThrow(/NotDecorated has no @Reconciler\(\{ for: \.\.\. \}\) decorator/);

    @Reconciler({ for: undefined as never, maxConcurrentReconciles: 0 })
    class Misconfigured implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    const init = async (imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>) => {
      const ref = await Test.createTestingModule({ imports }).compile();
      const a = ref.createNestApplication({ logger: false });
      try {
        await a.init();
      } finally {
        await a.close();
      }
    };
    const bad = init([LogbookSdkModule.forRoot({ server: server.url }), LogbookSdkModule.forFeature([Misconfigured])]);
    await expect(bad).rejects.toThrow(ControllerConfigError);
    await expect(init([LogbookSdkModule.forRoot({ server: server.url }), LogbookSdkModule.forFeature([Misconfigured])])).rejects.toThrow(
      /Misconfigured: for must be a ResourceKind.*maxConcurrentReconciles must be an integer of at least 1/,
    );

    @Reconciler({ for: kinds.ConfigMap })
    class Lonely implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    await expect(Test.createTestingModule({ imports: [LogbookSdkModule.forFeature([Lonely])] }).compile()).rejects.toThrow(/needs LogbookSdkModule.forRoot/);

    @Reconciler({ for: kinds.ConfigMap, name: 'greeter' })
    class SameName implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    await expect(init([LogbookSdkModule.forRoot({ server: server.url }), GreetingFeatureModule, LogbookSdkModule.forFeature([SameName])])).rejects.toThrow(
      /a controller named "greeter" exists already/,
    );
  });
});
