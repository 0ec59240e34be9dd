import type { IncomingMessage, ServerResponse } from 'http';
import { Scheme } from '@logbook/api';
import { badRequest } from '@logbook/machinery';
import { resourceNotFound } from '../storage/errors';
import {
  SchemaRegistry,
  checkObject,
  decodeErrorMessage,
  fieldValidationMode,
  openApiV2Document,
  openApiV3Root,
  openApiV3Serialized,
  schemaRegistry,
  strictDecodingMessage,
  unknownFieldWarnings,
} from '../openapi';
import { writeJson } from '../request/respond';
import type { Obj } from '../storage/resource-store';
import type { ResourceRequest } from './rest';

/**
 * /openapi/v3 (root and per group/version) and /openapi/v2, and the schema
 * checks every decoded body goes through: type errors are always a 400;
 * unknown fields are a 400 under fieldValidation=Strict, a `Warning` header
 * under Warn (the default), nothing under Ignore.
 */
export class OpenApi {
  readonly registry: SchemaRegistry;

  constructor(private readonly scheme: Scheme) {
    this.registry = schemaRegistry(scheme);
  }

  /** Builds the schemas now rather than on the first request. */
  warm(): void {
    openApiV3Root(this.scheme);
  }

  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/openapi/v3') {
      writeJson(res, 200, openApiV3Root(this.scheme));
      return true;
    }
    if (path.startsWith('/openapi/v3/')) {
      const gv = path.slice('/openapi/v3/'.length);
      const doc = openApiV3Serialized(this.scheme, gv);
      if (!doc) throw resourceNotFound();
      const asked = url.searchParams.get('hash');
      if (asked && asked !== doc.hash) {
        res.writeHead(301, { Location: `/openapi/v3/${gv}?hash=${doc.hash}` });
        res.end();
        return true;
      }
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ETag: `"${doc.hash}"`,
        'Cache-Control': asked ? 'public, immutable' : 'no-cache, private',
        'Content-Length': Buffer.byteLength(doc.json),
      });
      res.end(doc.json);
      return true;
    }
    if (path === '/openapi/v2') {
      const accept = req.headers.accept ?? 'application/json';
      // kubectl asks for v2 only as protobuf, which Logbook does not
      // produce; it falls back to v3 on a 404.
      if (!/application\/json|\*\/\*/.test(accept)) throw resourceNotFound();
      writeJson(res, 200, openApiV2Document(this.scheme));
      return true;
    }
    return false;
  }

  /** The decode checks of one body (a whole object: create, update, or a patch's result). */
  check(body: Obj, r: ResourceRequest, gvk: { group: string; version: string; kind: string }): void {
    const mode = fieldValidationMode(r.params.get('fieldValidation'));
    if (!mode) {
      throw badRequest(`fieldValidation: Unsupported value: "${r.params.get('fieldValidation')}": supported values: "Ignore", "Warn", "Strict"`);
    }
    const result = checkObject(body, gvk, this.registry, { unknownFields: mode });
    // Custom resources are not Go structs: their type errors are schema
    // violations, reported as 422 Invalid by the CRD's validation.
    if (result.typeErrors.length > 0 && !r.def.custom) throw badRequest(decodeErrorMessage(gvk, result.typeErrors[0]));
    if (result.unknownFields.length === 0) return;
    if (mode === 'Strict') {
      const message = strictDecodingMessage(result.unknownFields);
      throw badRequest(r.info.verb === 'patch' ? message : decodeErrorMessage(gvk, message));
    }
    if (mode === 'Warn' && !r.res.headersSent) {
      const previous = r.res.getHeader('Warning');
      const warnings = [...(Array.isArray(previous) ? previous : previous ? [String(previous)] : []), ...unknownFieldWarnings(result.unknownFields)];
      r.res.setHeader('Warning', warnings);
    }
  }
}

