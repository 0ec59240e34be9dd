import { canIsolatePods, run } from './command';
import { NetnsPodNetwork } from './pod-network';

const asRoot = canIsolatePods() ? describe : describe.skip;

asRoot('NetnsPodNetwork (as root, real ip netns and veth)', () => {
  const cidr = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;
  const network = new NetnsPodNetwork(`pod-network-spec-${process.pid}`, cidr);
  beforeAll(() => network.start());
  afterAll(() => network.close());

  it("wires a pod's namespace: eth0 with its IP, lo up, a default route via the bridge, the host's veth on the bridge", async () => {
    const sandbox = await network.create('uid-1');
    const netns = sandbox.netns!;
    const addrs = JSON.parse(await run('ip', ['-n', netns, '-j', 'addr', 'show'])) as { ifname: string; operstate: string; flags: string[]; addr_info: { local: string; prefixlen: number; family: string }[] }[];
    const eth0 = addrs.find((a) => a.ifname === 'eth0')!;
    expect(eth0.flags).toContain('UP');
    expect(eth0.addr_info.filter((a) => a.family === 'inet')).toEqual([expect.objectContaining({ local: sandbox.ip, prefixlen: 24 })]);
    expect(addrs.find((a) => a.ifname === 'lo')!.flags).toContain('UP');
    const routes = JSON.parse(await run('ip', ['-n', netns, '-j', 'route', 'show'])) as { dst: string; gateway?: string }[];
    expect(routes).toContainEqual(expect.objectContaining({ dst: 'default', gateway: network.nodeAddress }));
    const onBridge = JSON.parse(await run('ip', ['-j', 'link', 'show', 'master', network.bridge])) as { ifname: string; flags: string[] }[];
    expect(onBridge).toHaveLength(1);
    expect(onBridge[0].flags).toContain('UP');

    await network.destroy('uid-1', sandbox);
    expect(await run('ip', ['netns', 'list'])).not.toContain(netns);
    expect(JSON.parse((await run('ip', ['-j', 'link', 'show', 'master', network.bridge])) || '[]')).toEqual([]);
  });

  it('a failed set-up leaves no namespace behind', async () => {
    const sandbox = await network.create('uid-2');
    // The same uid again: its namespace exists, so the batch fails at once, and the half-made sandbox is removed.
    await expect(network.create('uid-2')).rejects.toThrow(/File exists/);
    expect(await run('ip', ['netns', 'list'])).not.toContain(sandbox.netns!);
  });
});
