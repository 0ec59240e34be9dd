#!/usr/bin/env node
// @ts-check
/*
 * Regenerates the Kubernetes protobuf schema used by the protobuf request codec.
 *
 *   node apps/apiserver/src/codec/protobuf/scripts/generate-schema.js \
 *     --api <kubernetes/api checkout or bare git dir> \
 *     --apimachinery <kubernetes/apimachinery checkout or bare git dir> \
 *     [--ref v0.36.3]
 *
 * With --ref the sources are read from that git ref (works on bare mirrors);
 * without it, from the directories' work trees.
 *
 * It writes:
 *   proto/k8s.io/...generated.proto   the upstream files, verbatim
 *   schema.generated.ts               the protobufjs JSON descriptor of those
 *                                     files (comments stripped) plus, for every
 *                                     message, the Go struct's JSON facts read
 *                                     from the Go sources: JSON name,
 *                                     omitempty/omitzero, pointer, inline.
 *
 * The Go facts are what make the decoded object identical to what Go's
 * encoding/json would print for the same object: the .proto files alone do not
 * say whether a zero field is omitted, whether a field is a pointer (so that a
 * present zero must be kept, e.g. `replicas: 0`), or whether a message is
 * inlined into its parent in JSON (Probe.handler, Volume.volumeSource, ...).
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const protobuf = require('protobufjs');

/** Go package directories (relative to their repository) whose protos we vendor. */
const API_PACKAGES = [
  'core/v1',
  'apps/v1',
  'batch/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'rbac/v1',
  'networking/v1',
  'policy/v1',
  'scheduling/v1',
  'coordination/v1',
  'discovery/v1',
  'events/v1',
  'storage/v1',
  'certificates/v1',
  'authentication/v1',
  'authorization/v1',
];
const APIMACHINERY_PACKAGES = [
  'pkg/apis/meta/v1',
  'pkg/runtime',
  'pkg/runtime/schema',
  'pkg/util/intstr',
  'pkg/api/resource',
];

const HERE = path.resolve(__dirname, '..');
const PROTO_DIR = path.join(HERE, 'proto');
const OUT_FILE = path.join(HERE, 'schema.generated.ts');

function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${a} needs a value`);
    out[a.slice(2)] = v;
    i++;
  }
  if (!out.api || !out.apimachinery) {
    throw new Error('usage: generate-schema.js --api DIR --apimachinery DIR [--ref TAG]');
  }
  return out;
}

/** Reads files from a work tree, or from a git ref when `ref` is given. */
function sourceReader(label, dir, ref) {
  if (!ref) {
    return {
      read: (/** @type {string} */ rel) => fs.readFileSync(path.join(dir, rel), 'utf8'),
      list: (/** @type {string} */ rel) => fs.readdirSync(path.join(dir, rel)),
      describe: () => `${label} (${dir})`,
    };
  }
  const git = (/** @type {string[]} */ args) =>
    execFileSync('git', ['--git-dir', resolveGitDir(dir), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return {
    read: (rel) => git(['show', `${ref}:${rel}`]),
    list: (rel) =>
      git(['ls-tree', '--name-only', `${ref}:${rel}`])
        .split('\n')
        .filter(Boolean),
    describe: () => `${label}@${ref} (${git(['rev-parse', `${ref}^{commit}`]).trim()})`,
  };
}

function resolveGitDir(dir) {
  if (fs.existsSync(path.join(dir, '.git'))) return path.join(dir, '.git');
  return dir;
}

// ---------------------------------------------------------------------------
// Go struct tags

const FLAG_OMITEMPTY = 1;
const FLAG_POINTER = 2;
const FLAG_INLINE = 4;
const FLAG_OMITZERO = 8;
const FLAG_NOT_IN_JSON = 16;

/**
 * Parses `type X struct { ... }` blocks of gofmt'ed Go source and returns, per
 * struct, its protobuf-tagged fields in declaration order; and the named slice
 * types (`type ExtraValue []string`), which protobuf wraps in a message with a
 * single `items` field but JSON prints as a plain array.
 */
function parseGoSource(src) {
  /** @type {Map<string, Array<[string, string, number]>>} */
  const structs = new Map();
  /** @type {Set<string>} */
  const sliceTypes = new Set();
  /** `type List metav1.List`: a struct defined as another package's struct. @type {Map<string, string>} */
  const metaDefinitions = new Map();
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const def = /^type\s+(\w+)\s+metav1\.(\w+)\s*$/.exec(lines[i]);
    if (def) {
      metaDefinitions.set(def[1], def[2]);
      continue;
    }
    const slice = /^type\s+(\w+)\s+\[\][\w.*]+\s*$/.exec(lines[i]);
    if (slice) {
      sliceTypes.add(slice[1]);
      continue;
    }
    const head = /^type\s+(\w+)\s+struct\s*\{\s*$/.exec(lines[i]);
    if (!head) continue;
    const fields = [];
    for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
      const line = lines[i].trim();
      if (line.startsWith('//') || !line.includes('`')) continue;
      // Either `Name Type \`tags\`` or an embedded `Type \`tags\``.
      const m = /^(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`/.exec(line);
      if (!m) throw new Error(`cannot parse struct field of ${head[1]}: ${line}`);
      const [, goName, goType, tags] = m;
      const pb = /protobuf:"([^"]*)"/.exec(tags);
      if (!pb || pb[1] === '-') continue;
      // go-to-protobuf names an untagged field after the Go field (or embedded
      // type) name with a lower-case first letter.
      const goFieldName = goName ?? goType.replace(/^\*?(\w+\.)?/, '');
      const pbName = /(?:^|,)name=([^,]+)/.exec(pb[1])?.[1] ?? goFieldName[0].toLowerCase() + goFieldName.slice(1);
      const js = /json:"([^"]*)"/.exec(tags);
      const jsonParts = js ? js[1].split(',') : [goFieldName];
      let flags = 0;
      if (jsonParts.includes('omitempty')) flags |= FLAG_OMITEMPTY;
      if (jsonParts.includes('omitzero')) flags |= FLAG_OMITZERO;
      if (goType.startsWith('*')) flags |= FLAG_POINTER;
      let jsonName = jsonParts[0];
      if (jsonName === '-' && jsonParts.length === 1) {
        // `json:"-"`: on the wire in protobuf, never in JSON.
        fields.push([pbName, '', FLAG_NOT_IN_JSON]);
        continue;
      }
      if (jsonName === '' && jsonParts.includes('inline')) {
        flags |= FLAG_INLINE;
      } else if (jsonName === '') {
        // encoding/json: no name → the Go field name; embedded → the type name.
        jsonName = goFieldName;
      }
      fields.push([pbName, flags & FLAG_INLINE ? '' : jsonName, flags]);
    }
    structs.set(head[1], /** @type {Array<[string, string, number]>} */ (fields));
  }
  return { structs, sliceTypes, metaDefinitions };
}

function isGoSourceFile(name) {
  return (
    name.endsWith('.go') &&
    !name.endsWith('_test.go') &&
    !name.startsWith('zz_generated') &&
    name !== 'generated.pb.go' &&
    !name.endsWith('_swagger_doc_generated.go')
  );
}

// ---------------------------------------------------------------------------

function main() {
  const args = parseArgs(process.argv.slice(2));
  const api = sourceReader('kubernetes/api', args.api, args.ref);
  const machinery = sourceReader('kubernetes/apimachinery', args.apimachinery, args.ref);

  /** @type {Array<{reader: ReturnType<typeof sourceReader>, dir: string, importPath: string, pkg: string}>} */
  const packages = [
    ...APIMACHINERY_PACKAGES.map((dir) => ({
      reader: machinery,
      dir,
      importPath: `k8s.io/apimachinery/${dir}`,
      pkg: `k8s.io.apimachinery.${dir.replace(/\//g, '.')}`,
    })),
    ...API_PACKAGES.map((dir) => ({
      reader: api,
      dir,
      importPath: `k8s.io/api/${dir}`,
      pkg: `k8s.io.api.${dir.replace(/\//g, '.')}`,
    })),
  ];

  fs.rmSync(path.join(PROTO_DIR, 'k8s.io'), { recursive: true, force: true });
  /** @type {Record<string, Array<[string, string, number]>>} */
  const goJson = {};
  /** @type {string[]} */
  const sliceMessages = [];
  /** @type {Array<[string, string]>} message → the meta/v1 message whose Go struct it is */
  const metaCopies = [];
  const protoFiles = [];
  for (const p of packages) {
    const protoSrc = p.reader.read(`${p.dir}/generated.proto`);
    const declared = /^package\s+([\w.]+);/m.exec(protoSrc);
    if (!declared || declared[1] !== p.pkg) throw new Error(`${p.dir}: unexpected proto package ${declared?.[1]}`);
    const rel = `${p.importPath}/generated.proto`;
    fs.mkdirSync(path.join(PROTO_DIR, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(PROTO_DIR, rel), protoSrc);
    protoFiles.push(rel);

    const messages = new Set([...protoSrc.matchAll(/^message\s+(\w+)\s*\{/gm)].map((m) => m[1]));
    for (const file of p.reader.list(p.dir).filter(isGoSourceFile)) {
      const { structs, sliceTypes, metaDefinitions } = parseGoSource(p.reader.read(`${p.dir}/${file}`));
      for (const [name, target] of metaDefinitions) {
        if (messages.has(name)) metaCopies.push([`${p.pkg}.${name}`, `k8s.io.apimachinery.pkg.apis.meta.v1.${target}`]);
      }
      for (const [name, fields] of structs) {
        if (messages.has(name) && fields.length > 0) goJson[`${p.pkg}.${name}`] = fields;
      }
      for (const name of sliceTypes) if (messages.has(name)) sliceMessages.push(`${p.pkg}.${name}`);
    }
  }

  for (const [name, target] of metaCopies) {
    if (!goJson[target]) throw new Error(`${name} is defined as ${target}, which has no Go facts`);
    goJson[name] = goJson[target];
  }

  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  root.loadSync(protoFiles, { keepCase: true });
  root.resolveAll();
  const descriptor = root.toJSON({ keepComments: false });
  checkGoFacts(root, goJson);

  const header = [
    '// GENERATED by scripts/generate-schema.js — do not edit by hand.',
    `// Sources: ${api.describe()}, ${machinery.describe()}`,
    '// (Apache-2.0, The Kubernetes Authors). See README.md in this folder.',
    '/* eslint-disable */',
    '',
  ].join('\n');
  const body = [
    `export const K8S_API_VERSION = ${JSON.stringify(args.ref ?? 'work tree')};`,
    '',
    '/** protobufjs JSON descriptor of proto/k8s.io/.../generated.proto (keepCase). */',
    `export const descriptor = ${JSON.stringify(descriptor)};`,
    '',
    '/**',
    ' * Per message (full proto name), the Go struct fields in declaration order:',
    ' * [proto field name, JSON name ("" when inlined), flags]; flags: 1 omitempty,',
    ' * 2 Go pointer, 4 inlined into the parent JSON object, 8 omitzero,',
    ' * 16 not in JSON at all (`json:"-"`).',
    ' */',
    `export const goJsonFields: Record<string, Array<[string, string, number]>> = ${JSON.stringify(sortKeys(goJson))};`,
    '',
    '/** Messages that are Go named slice types (JSON: a plain array of `items`). */',
    `export const goSliceMessages: string[] = ${JSON.stringify(sliceMessages.sort())};`,
    '',
  ].join('\n');
  fs.writeFileSync(OUT_FILE, header + body);
  console.log(`wrote ${protoFiles.length} proto files and ${path.relative(process.cwd(), OUT_FILE)}`);
}

/** Every proto field must be accounted for by the Go struct, and vice versa. */
function checkGoFacts(root, goJson) {
  const problems = [];
  for (const [name, fields] of Object.entries(goJson)) {
    const type = root.lookupType(name);
    const seen = new Set();
    for (const [pbName] of fields) {
      if (!type.fields[pbName]) problems.push(`${name}.${pbName}: in Go, not in proto`);
      seen.add(pbName);
    }
    for (const f of Object.keys(type.fields)) if (!seen.has(f)) problems.push(`${name}.${f}: in proto, not in Go`);
  }
  if (problems.length) throw new Error(`Go/proto mismatch:\n${problems.join('\n')}`);
}

function sortKeys(obj) {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

main();
