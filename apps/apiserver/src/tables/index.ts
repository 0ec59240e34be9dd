// Public API of the meta.k8s.io/v1 Table printers (see README.md).

export { toTable, printerForResource, asPartialObjectMetadata } from './table';
export { humanDuration } from './duration';
export { canonicalQuantity } from './quantity';
export { customResourcePrinter, DEFAULT_PRINTER_COLUMNS } from './custom';
export { parseJSONPath, findResults, JSONPathError } from './jsonpath';
export { printerFor, printedResources } from './printers';
export { podSummary } from './printers/pod';
export type {
  Cell,
  IncludeObject,
  ListMeta,
  PartialObjectMetadata,
  Printer,
  PrinterColumn,
  ResourceRef,
  Table,
  TableColumnDefinition,
  TableOptions,
  TableRow,
  TableRowCondition,
} from './types';
