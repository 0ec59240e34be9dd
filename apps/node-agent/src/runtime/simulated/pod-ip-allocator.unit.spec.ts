import { PodIpAllocator } from './pod-ip-allocator';

describe('PodIpAllocator', () => {
  it('hands out .2 upwards, never the network, gateway or broadcast address, round-robin', () => {
    const a = new PodIpAllocator('10.244.1.0/24');
    expect([a.allocate(), a.allocate()]).toEqual(['10.244.1.2', '10.244.1.3']);
    a.release('10.244.1.2');
    expect(a.allocate()).toBe('10.244.1.4');
  });

  it('uses every address of a small range, then says it is exhausted', () => {
    const a = new PodIpAllocator('10.0.0.0/29');
    const got = Array.from({ length: 5 }, () => a.allocate());
    expect(got).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(() => a.allocate()).toThrow('no free pod IP in 10.0.0.0/29');
    a.release('10.0.0.4');
    expect(a.allocate()).toBe('10.0.0.4');
  });

  it('reserves addresses pods already have, and refuses ones outside its range', () => {
    const a = new PodIpAllocator('10.244.3.0/24');
    expect(a.reserve('10.244.3.2')).toBe(true);
    expect(a.reserve('10.244.4.2')).toBe(false);
    expect(a.allocate()).toBe('10.244.3.3');
  });

  it('rejects a malformed CIDR', () => {
    expect(() => new PodIpAllocator('10.244.1.0')).toThrow('invalid pod CIDR');
    expect(() => new PodIpAllocator('10.244.1.0/33')).toThrow('invalid pod CIDR');
  });
});
