// toTable: objects -> meta.k8s.io/v1 Table, as kube-apiserver answers
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
//
// The server always prints the wide variant (GenerateOptions{Wide: true});
// kubectl hides columns with priority > 0 unless `-o wide`.

import { BUILT_IN_GROUPS, builtInDefaultPrinter, customResourcePrinter } from './custom';
import { printerFor } from './printers';
import {
  IncludeObject,
  ListMeta,
  ObjectMetaJSON,
  PartialObjectMetadata,
  Printer,
  PrinterColumn,
  ResourceRef,
  Table,
  TableOptions,
  TableRow,
} from './types';

/** Chooses the printer kube-apiserver would use for a resource. */
export function printerForResource(resource: ResourceRef, printerColumns?: PrinterColumn[]): Printer {
  if (printerColumns) return customResourcePrinter(printerColumns);
  const builtIn = printerFor(resource.group, resource.resource);
  if (builtIn) return builtIn;
  if (BUILT_IN_GROUPS.has(resource.group)) return builtInDefaultPrinter;
  return customResourcePrinter([]);
}

/** meta.AsPartialObjectMetadata: the whole ObjectMeta, nothing else. */
export function asPartialObjectMetadata(obj: object): PartialObjectMetadata {
  const metadata = ((obj as { metadata?: ObjectMetaJSON }).metadata ?? {}) as ObjectMetaJSON;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { ...metadata } };
}

function rowObject(obj: object, includeObject: IncludeObject): TableRow['object'] {
  switch (includeObject) {
    case 'Object':
      return obj;
    case 'None':
      return null;
    case 'Metadata':
      return asPartialObjectMetadata(obj);
  }
  throw new Error(`unrecognized includeObject value: "${String(includeObject)}"`);
}

function tableMetadata(objects: object[], listMeta: ListMeta | undefined): ListMeta {
  const meta: ListMeta = {};
  if (listMeta) {
    if (listMeta.resourceVersion) meta.resourceVersion = listMeta.resourceVersion;
    if (listMeta.continue) meta.continue = listMeta.continue;
    if (listMeta.remainingItemCount !== undefined && listMeta.remainingItemCount !== null) {
      meta.remainingItemCount = listMeta.remainingItemCount;
    }
  } else if (objects.length === 1) {
    const rv = (objects[0] as { metadata?: ObjectMetaJSON }).metadata?.resourceVersion;
    if (rv) meta.resourceVersion = rv;
  }
  return meta;
}

/**
 * Renders objects of one resource as a Table.
 *
 * @param resource which printer to use (group + plural resource name).
 * @param objects  the items of a list, or the single object of a GET/watch event.
 * @param opts     includeObject (kube's default is `Metadata`), clock, list
 *                 metadata, CRD printer columns, noHeaders.
 */
export function toTable(resource: ResourceRef, objects: object[], opts: TableOptions): Table {
  const printer = printerForResource(resource, opts.printerColumns);
  const ctx = { now: opts.now ?? new Date() };
  const includeObject = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, ctx), object: null };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    row.object = rowObject(obj, includeObject);
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableMetadata(objects, opts.listMeta),
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
