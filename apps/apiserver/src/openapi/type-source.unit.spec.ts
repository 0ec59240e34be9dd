import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadTypeSource, locateApiSource, TypeSource } from './type-source';

/** A miniature libs/api, so the reader is tested on every construct it claims to understand. */
const FILES: Record<string, string> = {
  'meta/v1/types.ts': `
    export type IntOrString = number | string;
    export type Quantity = string;
    export type Time = string;
    /** Metadata. */
    export class ObjectMeta {
      name?: string;
      creationTimestamp?: Time | null;
      labels?: Record<string, string>;
    }`,
  'widgets/v1/types.ts': `
    import type { IntOrString, Quantity } from '../../meta/v1/types';
    import { ObjectMeta } from '../../meta/v1/types';
    import { Part } from './parts';
    export const MODES = ['Fast', 'Slow'] as const;
    export class Base {
      /** Inherited. */
      inherited?: boolean;
    }
    /** A widget. */
    export class Widget extends Base {
      apiVersion?: 'widgets/v1';
      kind?: 'Widget';
      metadata?: ObjectMeta;
      /** How many. */
      @Int() @NonNegative() count?: number;
      size!: number;
      mode?: (typeof MODES)[number];
      @OneOf(['A', 'B'])
      letter?: string;
      color?: 'red' | 'blue';
      surge?: IntOrString;
      limits?: Record<string, Quantity>;
      parts!: Part[];
      loose?: Record<string, unknown>;
      inline?: { when: string; how?: number };
      raw?: unknown;
      private hidden?: string;
    }
    function notAType() { return 1; }`,
  'widgets/v1/parts.ts': `
    export interface Part { name: string; tags?: readonly string[] }`,
  'widgets/v1/widget.unit.spec.ts': `export class Ignored { x?: string }`,
  'widgets/notaversion/types.ts': `export class Ignored { x?: string }`,
};

describe('the libs/api source reader', () => {
  let root: string;
  let source: TypeSource;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'logbook-types-'));
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    source = loadTypeSource(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const prop = (name: string) => source.get('widgets/v1', 'Widget')!.properties.find((p) => p.name === name);

  it('reads exported classes and interfaces of <group>/<version> folders only', () => {
    expect([...source.types.keys()].sort()).toEqual(['meta/v1#ObjectMeta', 'widgets/v1#Base', 'widgets/v1#Part', 'widgets/v1#Widget']);
  });

  it('keeps doc comments, optionality and inherited fields (base first)', () => {
    const widget = source.get('widgets/v1', 'Widget')!;
    expect(widget.description).toBe('A widget.');
    expect(widget.properties[0]).toEqual({ name: 'inherited', optional: true, description: 'Inherited.', type: { kind: 'boolean' } });
    expect(prop('count')).toEqual({ name: 'count', optional: true, description: 'How many.', integer: true, type: { kind: 'number' } });
    expect(prop('size')).toMatchObject({ optional: false, type: { kind: 'number' } });
    expect(prop('hidden')).toBeUndefined();
  });

  it('turns const arrays, @OneOf and literal unions into enums', () => {
    expect(prop('mode')!.type).toEqual({ kind: 'enum', values: ['Fast', 'Slow'] });
    expect(prop('letter')!.type).toEqual({ kind: 'enum', values: ['A', 'B'] });
    expect(prop('color')!.type).toEqual({ kind: 'enum', values: ['red', 'blue'] });
  });

  it('recognises the meta/v1 value types through imports, and drops null from unions', () => {
    expect(prop('surge')!.type).toEqual({ kind: 'wellKnown', name: 'IntOrString' });
    expect(prop('limits')!.type).toEqual({ kind: 'map', values: { kind: 'wellKnown', name: 'Quantity' } });
    const meta = source.get('meta/v1', 'ObjectMeta')!;
    expect(meta.properties.find((p) => p.name === 'creationTimestamp')!.type).toEqual({ kind: 'wellKnown', name: 'Time' });
  });

  it('resolves classes and interfaces across files, lists, maps, inline objects and unknown', () => {
    expect(prop('metadata')!.type).toEqual({ kind: 'ref', id: 'meta/v1#ObjectMeta' });
    expect(prop('parts')!.type).toEqual({ kind: 'array', items: { kind: 'ref', id: 'widgets/v1#Part' } });
    expect(source.get('widgets/v1', 'Part')!.properties[1].type).toEqual({ kind: 'array', items: { kind: 'string' } });
    expect(prop('loose')!.type).toEqual({ kind: 'map', values: { kind: 'any' } });
    expect(prop('raw')!.type).toEqual({ kind: 'any' });
    expect(prop('inline')!.type).toEqual({
      kind: 'object',
      properties: [
        { name: 'when', optional: false, type: { kind: 'string' } },
        { name: 'how', optional: true, type: { kind: 'number' } },
      ],
    });
  });

  it('finds the real libs/api from this folder, and caches the parse', () => {
    const real = locateApiSource();
    expect(real).toMatch(/libs[/\\]api[/\\]src$/);
    expect(loadTypeSource(real)).toBe(loadTypeSource(real));
    expect(() => locateApiSource(tmpdir())).toThrow(/cannot find the libs\/api TypeScript sources/);
  });
});
