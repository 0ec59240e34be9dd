import * as fs from 'fs';
import * as path from 'path';
import { TestCluster } from './cluster';

const manifest = (name: string) => path.join(__dirname, 'manifests', name);

/**
 * The seed's chapter 2 and 3 commands, and more, through the real kubectl
 * v1.32 against a real API server process; assertions on what kubectl prints.
 */
describe('kubectl against Logbook', () => {
  let c: TestCluster;
  beforeAll(async () => (c = await TestCluster.start()));
  afterAll(async () => c.stop());

  it('lists the built-in namespaces and creates one (a protobuf body)', async () => {
    const out = await c.ok(['get', 'ns']);
    expect(out).toMatch(/^NAME\s+STATUS\s+AGE\n/);
    for (const ns of ['default', 'kube-system', 'kube-public']) expect(out).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
    expect(await c.ok(['create', 'namespace', 'custom-namespace'])).toBe('namespace/custom-namespace created\n');
    expect(await c.ok(['get', 'ns', 'custom-namespace', '-o', 'jsonpath={.status.phase}'])).toBe('Active');
  });

  it('creates a pod from YAML and prints it as yaml, json and wide', async () => {
    expect(await c.ok(['create', '-f', manifest('kubia-manual.yaml')])).toBe('pod/kubia-manual created\n');
    const again = await c.kubectl(['create', '-f', manifest('kubia-manual.yaml')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(again.stderr).toContain('pods "kubia-manual" already exists');

    const yaml = await c.ok(['get', 'po', 'kubia-manual', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\n/);
    expect(yaml).toContain('restartPolicy: Always');
    expect(yaml).toContain('terminationGracePeriodSeconds: 30');
    expect(yaml).toMatch(/resourceVersion: "\d+"/);
    const json = JSON.parse(await c.ok(['get', 'po', 'kubia-manual', '-o', 'json']));
    expect(json.spec.containers[0].image).toBe('wuyinio/kubia:2');
    expect(json.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(json.status.phase).toBe('Pending');
    const wide = await c.ok(['get', 'po', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
    expect(wide).toMatch(/kubia-manual\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
  });

  it('shows and selects labels', async () => {
    for (const [name, labels] of [
      ['kubia-a', ['env=prod', 'app=ui']],
      ['kubia-b', ['env=debug', 'app=ui']],
      ['kubia-c', ['app=pc']],
    ] as const) {
      await c.ok(['run', name, '--image=luksa/kubia', `--labels=${labels.join(',')}`]);
    }
    const shown = await c.ok(['get', 'po', '--show-labels']);
    expect(shown).toMatch(/kubia-a\s+0\/1\s+Pending\s+0\s+\S+\s+app=ui,env=prod/);
    const cols = await c.ok(['get', 'po', '-L', 'env,app']);
    expect(cols).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+ENV\s+APP\n/);
    expect(cols).toMatch(/kubia-b\s+.*debug\s+ui\n/);
    const names = async (selector: string) =>
      (await c.ok(['get', 'po', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();
    expect(await names('env=prod')).toEqual(['kubia-a', 'kubia-manual']);
    expect(await names('env!=prod')).toEqual(['kubia-b', 'kubia-c']);
    expect(await names('!env')).toEqual(['kubia-c']);
    expect(await names('env')).toEqual(['kubia-a', 'kubia-b', 'kubia-manual']);
    expect(await names('env in (prod,debug)')).toEqual(['kubia-a', 'kubia-b', 'kubia-manual']);
    expect(await names('app notin (ui)')).toEqual(['kubia-c', 'kubia-manual']);
    expect(await names('app=ui,env=debug')).toEqual(['kubia-b']);
  });

  it('labels and annotates, with --overwrite and key-', async () => {
    expect(await c.ok(['label', 'po', 'kubia-manual', 'tier=backend'])).toBe('pod/kubia-manual labeled\n');
    expect(await c.ok(['label', 'po', 'kubia-manual', 'tier=backend'])).toBe('pod/kubia-manual not labeled\n');
    const clash = await c.kubectl(['label', 'po', 'kubia-manual', 'env=debug']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain("'env' already has a value (prod), and --overwrite is false");
    await c.ok(['label', 'po', 'kubia-manual', 'env=debug', '--overwrite']);
    expect(await c.ok(['get', 'po', 'kubia-manual', '-o', 'jsonpath={.metadata.labels.env}'])).toBe('debug');
    await c.ok(['label', 'po', 'kubia-manual', 'env-']);
    expect(await c.ok(['get', 'po', 'kubia-manual', '-o', 'jsonpath={.metadata.labels}'])).not.toContain('env');
    expect(await c.ok(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation=foo bar'])).toBe('pod/kubia-manual annotated\n');
    const described = await c.ok(['describe', 'pod', 'kubia-manual']);
    expect(described).toMatch(/^Name:\s+kubia-manual$/m);
    expect(described).toMatch(/^Namespace:\s+default$/m);
    expect(described).toMatch(/^Annotations:\s+mycompany.com\/someannotation: foo bar$/m);
    expect(described).toMatch(/^Status:\s+Pending$/m);
    expect(described).toMatch(/Image:\s+wuyinio\/kubia:2/);
    await c.ok(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation-']);
    expect(await c.ok(['get', 'po', 'kubia-manual', '-o', 'jsonpath={.metadata.annotations}'])).not.toContain('someannotation');
  });

  it('works in other namespaces with -n', async () => {
    await c.ok(['create', '-f', manifest('kubia-manual.yaml'), '-n', 'custom-namespace']);
    expect(await c.ok(['get', 'po', '-n', 'custom-namespace', '-o', 'name'])).toBe('pod/kubia-manual\n');
    const all = await c.ok(['get', 'po', '--all-namespaces']);
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all).toMatch(/custom-namespace\s+kubia-manual/);
    const missing = await c.kubectl(['create', '-f', manifest('kubia-manual.yaml'), '-n', 'no-such-namespace']);
    expect(missing.stderr).toContain('namespaces "no-such-namespace" not found');
  });

  it('applies a manifest twice (create, then change) and server-side', async () => {
    expect(await c.ok(['apply', '-f', manifest('kubia-rc.yaml')])).toBe('replicationcontroller/kubia created\n');
    const changed = fs.readFileSync(manifest('kubia-rc.yaml'), 'utf8').replace('replicas: 3', 'replicas: 4');
    expect(await c.ok(['apply', '-f', '-'], { stdin: changed })).toBe('replicationcontroller/kubia configured\n');
    expect(await c.ok(['apply', '-f', '-'], { stdin: changed })).toBe('replicationcontroller/kubia unchanged\n');
    expect(await c.ok(['get', 'rc', 'kubia', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}'])).toBe('4 2');
    const wide = await c.ok(['get', 'rc', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
    expect(wide).toMatch(/kubia\s+4\s+0\s+0\s+\S+\s+kubia\s+luksa\/kubia\s+app=kubia/);

    const ssa = changed.replace('name: kubia\nspec', 'name: kubia-ssa\nspec');
    expect(await c.ok(['apply', '--server-side', '-f', '-'], { stdin: ssa })).toBe('replicationcontroller/kubia-ssa serverside-applied\n');
    await c.ok(['scale', 'rc', 'kubia-ssa', '--replicas=6']);
    const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: ssa });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict');
    expect(conflict.stderr).toContain('.spec.replicas');
    await c.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], { stdin: ssa });
    expect(await c.ok(['get', 'rc', 'kubia-ssa', '-o', 'jsonpath={.spec.replicas}'])).toBe('4');
  });

  it('scales through the scale subresource', async () => {
    expect(await c.ok(['scale', 'rc', 'kubia', '--replicas=5'])).toBe('replicationcontroller/kubia scaled\n');
    expect(await c.ok(['get', 'rc', 'kubia', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
  });

  it('edits with KUBE_EDITOR', async () => {
    await c.ok(['create', 'configmap', 'edited', '--from-literal=greeting=hello']);
    await c.ok(['edit', 'configmap', 'edited'], { env: { KUBE_EDITOR: 'sed -i s/greeting:\\ hello/greeting:\\ bonjour/' } });
    expect(await c.ok(['get', 'cm', 'edited', '-o', 'jsonpath={.data.greeting}'])).toBe('bonjour');
  });

  it('sees later changes with get -w', async () => {
    await c.ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
    const watch = c.kubectl(['get', 'cm', '-w', '--request-timeout=6s'], { timeoutMs: 15_000 });
    const named = c.kubectl(['get', 'cm', 'watched', '-w', '-o', 'name', '--request-timeout=6s'], { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 3000)); // both watches are open (TLS handshakes on a busy machine)
    await c.ok(['label', 'cm', 'watched', 'seen=yes']);
    await c.ok(['create', 'configmap', 'later', '--from-literal=b=2']);
    await c.ok(['delete', 'cm', 'watched']);
    const lines = (await watch).stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    // the list, then the label change, the new object and the deletion
    expect(lines.filter((l) => /^watched\s+1\s/.test(l)).length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => /^later\s+1\s/.test(l))).toBe(true);
    const namedLines = (await named).stdout.trim().split('\n');
    expect(namedLines.every((l) => l === 'configmap/watched')).toBe(true);
    expect(namedLines.length).toBeGreaterThanOrEqual(2);
  });

  it('deletes by name, by label and --all', async () => {
    expect(await c.ok(['delete', 'po', 'kubia-c'])).toBe('pod "kubia-c" deleted\n');
    const byLabel = await c.ok(['delete', 'po', '-l', 'app=ui']);
    expect(byLabel.split('\n').filter(Boolean).sort()).toEqual(['pod "kubia-a" deleted', 'pod "kubia-b" deleted']);
    await c.ok(['delete', 'po', '--all', '-n', 'custom-namespace']);
    expect((await c.kubectl(['get', 'po', '-n', 'custom-namespace'])).stderr).toContain('No resources found in custom-namespace namespace.');
    const missing = await c.kubectl(['delete', 'po', 'nope']);
    expect(missing.stderr).toContain('Error from server (NotFound): pods "nope" not found');
  });

  it('describes the API: api-resources and explain', async () => {
    const resources = await c.ok(['api-resources']);
    expect(resources).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(resources).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(resources).toMatch(/^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob$/m);
    expect(await c.ok(['get', 'all'])).toMatch(/replicationcontroller\/kubia/);
    const explained = await c.ok(['explain', 'pods.spec.containers']);
    expect(explained).toContain('KIND:       Pod');
    expect(explained).toContain('FIELD: containers <[]Container>');
  });

  it('answers whoami with the local identity', async () => {
    expect(await c.ok(['auth', 'whoami'])).toMatch(/Username\s+admin/);
  });
});
