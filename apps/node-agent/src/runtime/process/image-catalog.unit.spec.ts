import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImageCatalog, parseImageReference } from './image-catalog';

describe('image references', () => {
  it('name an image by its last repository component, whatever the registry and user', () => {
    expect(parseImageReference('luksa/kubia')).toEqual({ name: 'kubia', tag: 'latest', digest: undefined });
    expect(parseImageReference('docker.io/wuyinio/kubia:2')).toMatchObject({ name: 'kubia', tag: '2' });
    expect(parseImageReference('localhost:5000/yinzige/kubia:v1')).toMatchObject({ name: 'kubia', tag: 'v1' });
    expect(parseImageReference('nginx@sha256:abc')).toEqual({ name: 'nginx', tag: undefined, digest: 'sha256:abc' });
  });
});

describe('the shipped image catalog', () => {
  const catalog = ImageCatalog.load();

  it.each([
    ['luksa/kubia', 'v1'],
    ['wuyinio/kubia:2', 'v1'],
    ['yinzige/kubia:v1', 'v1'],
    ['luksa/kubia:v2', 'v2'],
    ['yinzige/kubia:v3', 'v3'],
    ['wuyinio/kubia-unhealthy', 'unhealthy'],
    ['yinzige/kubia-pet', 'pet'],
  ])('runs %s as the kubia server in its %s flavour', (image, flavour) => {
    const r = catalog.resolve(image)!;
    expect(r.entrypoint).toEqual([process.execPath, expect.stringMatching(/images\/kubia\/server\.js$/), flavour]);
    expect(fs.existsSync(r.entrypoint[1])).toBe(true);
  });

  it('gives every image of the seed an entry, and none to an unknown one', () => {
    for (const image of ['luksa/fortune:args', 'luksa/fortune:env', 'yinzige/fortuneloop', 'nginx:alpine', 'busybox', 'yinzige/batch-job', 'yinzige/ssd-monitor']) {
      expect(catalog.resolve(image)).toBeDefined();
    }
    expect(catalog.resolve('luksa/fortune:args')!.cmd).toEqual(['10']);
    expect(catalog.resolve('busybox')).toMatchObject({ entrypoint: [], cmd: ['sh'], reference: 'docker.io/library/busybox:latest' });
    expect(catalog.resolve('mongo')).toBeUndefined();
    expect(catalog.resolve('example.com/kubia-nope:1')).toBeUndefined();
  });
});

describe('a catalog file', () => {
  const write = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    fs.writeFileSync(path.join(dir, 'catalog.yaml'), text);
    return path.join(dir, 'catalog.yaml');
  };

  it('prefers an entry listing the tag, falls back to one without tags, resolves ./ paths in the image dir', () => {
    const file = write('images:\n  - {name: app, tags: [beta], dir: app, entrypoint: [./beta.sh]}\n  - {name: app, dir: app, entrypoint: [./main.sh], cmd: [a], env: {MODE: x}}\n');
    const catalog = ImageCatalog.load(file);
    const dir = path.join(path.dirname(file), 'app');
    expect(catalog.resolve('me/app:beta')!.entrypoint).toEqual([path.join(dir, 'beta.sh')]);
    expect(catalog.resolve('me/app:1.0')).toMatchObject({ entrypoint: [path.join(dir, 'main.sh')], cmd: ['a'], env: { MODE: 'x', IMAGE_DIR: dir } });
  });

  it('is refused with the file and entry named when malformed', () => {
    expect(() => ImageCatalog.load(write('nope: 1\n'))).toThrow(/expected a top-level "images" list/);
    expect(() => ImageCatalog.load(write('images:\n  - {name: x}\n'))).toThrow(/images\[0\]: entrypoint or cmd is required/);
    expect(() => ImageCatalog.load(write('images:\n  - {name: x, cmd: 3}\n'))).toThrow(/images\[0\]: cmd must be a list of strings/);
  });
});
