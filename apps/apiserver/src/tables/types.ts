// Wire shapes of meta.k8s.io/v1 Table, and the internal printer contract.

/** A cell: kube-apiserver emits strings, int64s, booleans, floats and, for
 * custom resource columns that resolve to nothing, null (kubectl: `<none>`). */
export type Cell = string | number | boolean | null;

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** OpenAPI format hint; `name` marks the primary key column. */
  format: string;
  description: string;
  /** 0: always shown; >0: only with `-o wide`. */
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ObjectMetaJSON {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  [key: string]: unknown;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMetaJSON;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (includeObject=Metadata, the default), the full
   * object (Object), or null (None) — kube-apiserver serialises `null`. */
  object: PartialObjectMetadata | object | null;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface ResourceRef {
  group: string;
  resource: string;
  kind: string;
}

/** A CustomResourceDefinition `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** Clock for AGE and other relative columns; defaults to the current time. */
  now?: Date;
  /** List metadata for list responses; for a single object the object's
   * resourceVersion is used. */
  listMeta?: ListMeta;
  /** The CRD version's additionalPrinterColumns. When given (even empty) the
   * custom resource convertor is used: NAME plus these columns, or NAME, AGE
   * when empty — as apiextensions-apiserver does. */
  printerColumns?: PrinterColumn[];
  /** TableOptions.noHeaders: leave columnDefinitions empty. */
  noHeaders?: boolean;
}

export interface PrintContext {
  now: Date;
}

/** Prints one kind of object: fixed columns plus one row per object. */
export interface Printer {
  columns: TableColumnDefinition[];
  cells(obj: any, ctx: PrintContext): Cell[];
  conditions?(obj: any): TableRowCondition[] | undefined;
}
