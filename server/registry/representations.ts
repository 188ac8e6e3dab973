import type { KubeList, KubeObject } from '../../api/types.js';
import type { ResourceVersion } from '../../api/resource-definition.js';
import { humanDuration } from '../util/duration.js';

/** Options of a Table response (`includeObject` of meta/v1 TableOptions). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

function partialMetadata(object: KubeObject, metaVersion: string): KubeObject {
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'PartialObjectMetadata',
    metadata: object.metadata,
  };
}

export function toPartialObjectMetadata(object: KubeObject, metaVersion: string): KubeObject {
  return partialMetadata(object, metaVersion);
}

export function toPartialObjectMetadataList(list: KubeList, metaVersion: string): KubeList {
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'PartialObjectMetadataList',
    metadata: list.metadata,
    items: list.items.map((o) => partialMetadata(o, metaVersion)),
  };
}

/** A date cell: rendered as the age of the instant at the time of the request. */
class Instant {
  constructor(readonly at: number) {}
}

/** A row's cells as they stay while the object does not change: dates as the instants they name. */
export type RowCells = readonly (string | number | boolean | Instant | undefined)[];

function cellOf(
  value: string | number | boolean | undefined,
  type: string,
): string | number | boolean | Instant {
  if (value === undefined) return '<none>';
  if (type === 'date' && typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? '<invalid>' : new Instant(at);
  }
  return value;
}

/** NAME, then the version's columns, for `object` (in that version). */
export function rowCells(object: KubeObject, version: ResourceVersion): RowCells {
  return [object.metadata.name, ...version.columns.map((c) => cellOf(c.cell(object), c.type))];
}

/** The cells as the Table carries them at `now`: dates as ages. */
export function renderCells(cells: RowCells, now: number): unknown[] {
  return cells.map((cell) => (cell instanceof Instant ? humanDuration(now - cell.at) : cell));
}

/** What a Table row carries of its object, as `includeObject` asks. */
export function rowObject(object: KubeObject, metaVersion: string, includeObject: IncludeObject): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return object;
  return partialMetadata(object, metaVersion);
}

type ListMeta = { resourceVersion?: string; continue?: string; remainingItemCount?: number };

/**
 * The meta.k8s.io Table that `kubectl get` renders: NAME, then the version's columns, dates as
 * ages, with each row carrying the object (or its metadata) as `includeObject` asks.
 */
export function toTable(
  objects: readonly KubeObject[],
  listMeta: ListMeta,
  version: ResourceVersion,
  metaVersion: string,
  includeObject: IncludeObject,
  now = Date.now(),
): Record<string, unknown> {
  return {
    ...tableHead(listMeta, version, metaVersion),
    rows: objects.map((object) => ({
      cells: renderCells(rowCells(object, version), now),
      object: rowObject(object, metaVersion, includeObject),
    })),
  };
}

/**
 * One row of `toTable` as JSON bytes, kept for as long as its object version is: the object
 * part is encoded once; the cells are encoded again only when their ages read differently.
 */
export class EncodedRow {
  private readonly objectPart: Buffer;
  /** The instants of the date cells, whose ages are all that changes while the object does not. */
  private readonly instants: readonly Instant[];
  private ages: string[] = [];
  private cellsPart: Buffer | undefined;

  constructor(
    private readonly cells: RowCells,
    objectJson: string | undefined,
  ) {
    this.objectPart = Buffer.from(objectJson === undefined ? '}' : `,"object":${objectJson}}`);
    this.instants = cells.filter((cell): cell is Instant => cell instanceof Instant);
  }

  /** The row at `now`, as the two pieces to write one after the other. */
  at(now: number): readonly [Buffer, Buffer] {
    let changed = this.cellsPart === undefined;
    for (let i = 0; i < this.instants.length; i++) {
      const age = humanDuration(now - this.instants[i].at);
      if (age !== this.ages[i]) changed = true;
      this.ages[i] = age;
    }
    if (changed) this.cellsPart = Buffer.from(`{"cells":${JSON.stringify(renderCells(this.cells, now))}`);
    return [this.cellsPart!, this.objectPart];
  }
}

const ROW_SEPARATOR = Buffer.from(',');
const TABLE_END = Buffer.from(']}');

/**
 * `toTable` as JSON bytes, from rows already encoded: the same text, without the objects
 * behind the rows, and without building it as one string first.
 */
export function encodeTable(
  rows: readonly EncodedRow[],
  listMeta: ListMeta,
  version: ResourceVersion,
  metaVersion: string,
  now: number,
): Buffer {
  const head = JSON.stringify({ ...tableHead(listMeta, version, metaVersion), rows: [] });
  const pieces: Buffer[] = [Buffer.from(head.slice(0, -2))];
  rows.forEach((row, i) => {
    if (i > 0) pieces.push(ROW_SEPARATOR);
    pieces.push(...row.at(now));
  });
  pieces.push(TABLE_END);
  return Buffer.concat(pieces);
}

function tableHead(
  listMeta: ListMeta,
  version: ResourceVersion,
  metaVersion: string,
): Record<string, unknown> {
  const columnDefinitions = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    },
    ...version.columns.map(({ name, type, format, description, priority }) => ({
      name,
      type: type === 'date' ? 'string' : type,
      format: format ?? (type === 'date' ? 'date' : ''),
      description,
      priority,
    })),
  ];
  return {
    apiVersion: `meta.k8s.io/${metaVersion}`,
    kind: 'Table',
    metadata: listMeta,
    columnDefinitions,
  };
}
