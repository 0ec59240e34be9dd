/**
 * Reads the resource types of libs/api from their TypeScript source.
 *
 * Why the source and not reflect-metadata: `design:type` is emitted only for
 * decorated properties (most fields of libs/api carry no decorator), it says
 * `Array`/`Object` for lists, maps, unions and aliases, interfaces do not
 * exist at run time at all, and JSDoc descriptions never reach the emitted
 * JavaScript. The TypeScript compiler API sees all of it: property names,
 * `?` vs `!`, element and value types, string-literal unions, the
 * `IntOrString`/`Quantity`/`Time` aliases, `extends`, `@Int()`/`@OneOf()`
 * decorators and doc comments. The checker is used only to resolve names
 * across imports (no lib files are loaded, so it stays fast: ~200 ms).
 *
 * The result is a neutral model; `schemas.ts` turns it into OpenAPI.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as TS from 'typescript';

/** Aliases of meta/v1 with a Kubernetes meaning of their own. */
export type WellKnown = 'IntOrString' | 'Quantity' | 'Time' | 'MicroTime';
const WELL_KNOWN = new Set<string>(['IntOrString', 'Quantity', 'Time', 'MicroTime']);

export type TypeExpr =
  | { kind: 'string' | 'number' | 'boolean' | 'any' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'wellKnown'; name: WellKnown }
  | { kind: 'ref'; id: string }
  | { kind: 'array'; items: TypeExpr }
  | { kind: 'map'; values: TypeExpr }
  | { kind: 'object'; properties: PropertyModel[] };

export interface PropertyModel {
  name: string;
  optional: boolean;
  description?: string;
  type: TypeExpr;
  /** Declared `@Int()`: a whole number. */
  integer?: boolean;
}

export interface TypeModel {
  /** `<dir>#<Name>`, e.g. `core/v1#Container`. */
  id: string;
  name: string;
  /** The group/version folder under libs/api/src, e.g. `apps/v1`. */
  dir: string;
  description?: string;
  properties: PropertyModel[];
}

export interface TypeSource {
  readonly root: string;
  readonly types: ReadonlyMap<string, TypeModel>;
  get(dir: string, name: string): TypeModel | undefined;
}

const VERSION_DIR = /^v\d+((alpha|beta)\d+)?$/;

/** Finds libs/api/src by walking up from this file (works from src/ and from dist/). */
export function locateApiSource(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'libs', 'api', 'src');
    if (fs.existsSync(path.join(candidate, 'meta', 'v1', 'types.ts'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the libs/api TypeScript sources above ${start}`);
  }
}

/** Every `.ts` file (specs excluded) in a `<group>/<version>/` folder of libs/api. */
function typeFiles(root: string): string[] {
  const out: string[] = [];
  for (const group of fs.readdirSync(root, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const version of fs.readdirSync(path.join(root, group.name), { withFileTypes: true })) {
      if (!version.isDirectory() || !VERSION_DIR.test(version.name)) continue;
      const dir = path.join(root, group.name, version.name);
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.endsWith('.d.ts')) out.push(path.join(dir, f));
    }
  }
  return out.sort();
}

const cache = new Map<string, TypeSource>();

/** The parsed model of libs/api (cached per source folder for the life of the process). */
export function loadTypeSource(root = locateApiSource()): TypeSource {
  const hit = cache.get(root);
  if (hit) return hit;
  const source = new Reader(root).read();
  cache.set(root, source);
  return source;
}

class Reader {
  // Loaded lazily: only the schema registry needs the compiler.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  private readonly ts: typeof TS = require('typescript');
  private checker!: TS.TypeChecker;
  private readonly types = new Map<string, TypeModel>();

  constructor(private readonly root: string) {}

  read(): TypeSource {
    const ts = this.ts;
    const program = ts.createProgram(typeFiles(this.root), {
      noLib: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      noEmit: true,
    });
    this.checker = program.getTypeChecker();
    const pending: [TS.ClassDeclaration | TS.InterfaceDeclaration, string][] = [];
    for (const sf of program.getSourceFiles()) {
      const dir = this.dirOf(sf.fileName);
      if (!dir) continue;
      for (const stmt of sf.statements) {
        if ((ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt)) && stmt.name && this.isExported(stmt)) pending.push([stmt, dir]);
      }
    }
    for (const [decl, dir] of pending) {
      const name = decl.name!.text;
      this.types.set(`${dir}#${name}`, { id: `${dir}#${name}`, name, dir, description: this.doc(decl), properties: this.members(decl) });
    }
    const types = this.types;
    return { root: this.root, types, get: (dir, name) => types.get(`${dir}#${name}`) };
  }

  private dirOf(fileName: string): string | undefined {
    const rel = path.relative(this.root, fileName).split(path.sep);
    return rel.length === 3 && VERSION_DIR.test(rel[1]) ? `${rel[0]}/${rel[1]}` : undefined;
  }

  private isExported(node: TS.Node): boolean {
    return (this.ts.getCombinedModifierFlags(node as TS.Declaration) & this.ts.ModifierFlags.Export) !== 0;
  }

  private doc(node: TS.Node): string | undefined {
    const ts = this.ts;
    const texts = ts
      .getJSDocCommentsAndTags(node)
      .filter(ts.isJSDoc)
      .map((d) => ts.getTextOfJSDocComment(d.comment)?.trim())
      .filter((t): t is string => !!t);
    return texts.length ? texts.join('\n').replace(/\s*\n\s*/g, ' ') : undefined;
  }

  /** Own and inherited properties, base classes first. */
  private members(decl: TS.ClassDeclaration | TS.InterfaceDeclaration | TS.TypeLiteralNode): PropertyModel[] {
    const ts = this.ts;
    const props = new Map<string, PropertyModel>();
    if (!ts.isTypeLiteralNode(decl)) {
      for (const clause of decl.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const base of clause.types) {
          const target = this.declarationOf(base.expression);
          if (target && (ts.isClassDeclaration(target) || ts.isInterfaceDeclaration(target)))
            for (const p of this.members(target)) props.set(p.name, p);
        }
      }
    }
    for (const m of decl.members) {
      if (!(ts.isPropertyDeclaration(m) || ts.isPropertySignature(m)) || !m.name) continue;
      if (ts.isPropertyDeclaration(m) && (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Static | ts.ModifierFlags.Private)) !== 0) continue;
      const name = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : undefined;
      if (!name) continue;
      const decorators = this.decorators(m);
      let type: TypeExpr = m.type ? this.expr(m.type) : { kind: 'any' };
      const oneOf = decorators.get('OneOf');
      if (type.kind === 'string' && oneOf?.[0]) {
        const values = this.stringLiterals(oneOf[0]);
        if (values.length) type = { kind: 'enum', values };
      }
      const prop: PropertyModel = { name, optional: !!m.questionToken, type };
      const description = this.doc(m);
      if (description) prop.description = description;
      if (decorators.has('Int')) prop.integer = true;
      props.set(name, prop);
    }
    return [...props.values()];
  }

  private decorators(m: TS.Node): Map<string, readonly TS.Expression[]> {
    const ts = this.ts;
    const out = new Map<string, readonly TS.Expression[]>();
    for (const d of (ts.canHaveDecorators(m) && ts.getDecorators(m)) || []) {
      if (ts.isCallExpression(d.expression) && ts.isIdentifier(d.expression.expression)) out.set(d.expression.expression.text, d.expression.arguments);
    }
    return out;
  }

  private expr(node: TS.TypeNode): TypeExpr {
    const ts = this.ts;
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { kind: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { kind: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { kind: 'boolean' };
    }
    if (ts.isParenthesizedTypeNode(node)) return this.expr(node.type);
    if (ts.isArrayTypeNode(node)) return { kind: 'array', items: this.expr(node.elementType) };
    if (ts.isTypeOperatorNode(node)) return this.expr(node.type); // readonly T[]
    if (ts.isTypeLiteralNode(node)) return { kind: 'object', properties: this.members(node) };
    if (ts.isLiteralTypeNode(node)) {
      if (node.literal.kind === ts.SyntaxKind.NullKeyword) return NULLISH;
      if (ts.isStringLiteral(node.literal)) return { kind: 'enum', values: [node.literal.text] };
      if (node.literal.kind === ts.SyntaxKind.TrueKeyword || node.literal.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'boolean' };
      if (ts.isNumericLiteral(node.literal)) return { kind: 'number' };
      return { kind: 'any' };
    }
    if (ts.isUnionTypeNode(node)) return this.union(node.types.map((t) => this.expr(t)).filter((t) => t !== NULLISH));
    if (ts.isIndexedAccessTypeNode(node)) {
      let object = node.objectType;
      while (ts.isParenthesizedTypeNode(object)) object = object.type;
      if (!ts.isTypeQueryNode(object)) return { kind: 'any' };
      const values = this.stringLiterals(object.exprName);
      return values.length ? { kind: 'enum', values } : { kind: 'string' };
    }
    if (node.kind === ts.SyntaxKind.NullKeyword || node.kind === ts.SyntaxKind.UndefinedKeyword) return NULLISH;
    if (ts.isTypeReferenceNode(node)) return this.reference(node);
    return { kind: 'any' };
  }

  private union(members: TypeExpr[]): TypeExpr {
    if (members.length <= 1) return members[0] ?? { kind: 'any' };
    if (members.every((m) => m.kind === 'enum')) return { kind: 'enum', values: members.flatMap((m) => (m as { values: string[] }).values) };
    if (members.every((m) => m.kind === 'enum' || m.kind === 'string')) return { kind: 'string' };
    const kinds = new Set(members.map((m) => m.kind));
    if (kinds.size === 2 && kinds.has('number') && (kinds.has('string') || kinds.has('enum'))) return { kind: 'wellKnown', name: 'IntOrString' };
    if (members.every((m) => m.kind === 'boolean')) return { kind: 'boolean' };
    return { kind: 'any' };
  }

  private reference(node: TS.TypeReferenceNode): TypeExpr {
    const ts = this.ts;
    const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
    const args = node.typeArguments ?? [];
    const decl = this.declarationOf(node.typeName);
    if (!decl) {
      // Globals (no lib is loaded): Record, Array, ReadonlyArray, Partial...
      if (name === 'Record' && args.length === 2) return { kind: 'map', values: this.expr(args[1]) };
      if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1) return { kind: 'array', items: this.expr(args[0]) };
      if ((name === 'Partial' || name === 'Readonly') && args.length === 1) return this.expr(args[0]);
      return { kind: 'any' };
    }
    if (ts.isTypeParameterDeclaration(decl)) return { kind: 'any' };
    const dir = this.dirOf(decl.getSourceFile().fileName);
    if (ts.isTypeAliasDeclaration(decl)) {
      if (dir === 'meta/v1' && WELL_KNOWN.has(decl.name.text)) return { kind: 'wellKnown', name: decl.name.text as WellKnown };
      return this.expr(decl.type);
    }
    if ((ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) && decl.name && dir) return { kind: 'ref', id: `${dir}#${decl.name.text}` };
    if (ts.isEnumDeclaration(decl)) {
      const values = decl.members.map((m) => (m.initializer && ts.isStringLiteral(m.initializer) ? m.initializer.text : undefined));
      return values.every((v) => v !== undefined) ? { kind: 'enum', values: values as string[] } : { kind: 'any' };
    }
    return { kind: 'any' };
  }

  /** The declaration a name refers to, through imports. */
  private declarationOf(name: TS.Node): TS.Declaration | undefined {
    let symbol = this.checker.getSymbolAtLocation(name);
    if (symbol && symbol.flags & this.ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol?.declarations?.[0];
  }

  /** The strings of a `const X = ['a', 'b'] as const` named by `expr`, or of an inline array literal. */
  private stringLiterals(expr: TS.Node): string[] {
    const ts = this.ts;
    let init: TS.Node | undefined = expr;
    if (ts.isIdentifier(expr) || ts.isQualifiedName(expr) || ts.isPropertyAccessExpression(expr)) {
      const decl = this.declarationOf(expr);
      init = decl && ts.isVariableDeclaration(decl) ? decl.initializer : undefined;
    }
    while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
    if (!init || !ts.isArrayLiteralExpression(init)) return [];
    return init.elements.filter(ts.isStringLiteral).map((e) => e.text);
  }
}

const NULLISH: TypeExpr = { kind: 'any' };
