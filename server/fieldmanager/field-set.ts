import {
  comparePathElements,
  deserializePathElement,
  serializePathElement,
  type FieldPath,
  type PathElement,
} from './field-path.js';
import { isJsonObject, setMember, type JsonObject } from '../util/json-value.js';

interface Node {
  /** Paths that end here, by serialized element. */
  readonly members: Map<string, PathElement>;
  /** Paths that continue, by serialized element. Never empty sets. */
  readonly children: Map<string, { readonly element: PathElement; readonly node: Node }>;
}

function emptyNode(): Node {
  return { members: new Map(), children: new Map() };
}

function isEmptyNode(node: Node): boolean {
  return node.members.size === 0 && node.children.size === 0;
}

function copyNode(node: Node): Node {
  const out = emptyNode();
  for (const [key, element] of node.members) out.members.set(key, element);
  for (const [key, child] of node.children)
    out.children.set(key, { element: child.element, node: copyNode(child.node) });
  return out;
}

/**
 * An immutable set of field paths: structured-merge-diff's fieldpath.Set, the content of a
 * managedFields entry. A path is a member when the manager owns that node itself; deeper
 * paths hang below it. Operations are member-wise, as in structured-merge-diff.
 */
export class FieldSet {
  private constructor(private readonly root: Node) {}

  static empty(): FieldSet {
    return new FieldSet(emptyNode());
  }

  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const root = emptyNode();
    for (const path of paths) {
      if (path.length === 0) continue;
      let node = root;
      for (const element of path.slice(0, -1)) {
        const key = serializePathElement(element);
        let child = node.children.get(key);
        if (!child) {
          child = { element, node: emptyNode() };
          node.children.set(key, child);
        }
        node = child.node;
      }
      const last = path[path.length - 1];
      node.members.set(serializePathElement(last), last);
    }
    return new FieldSet(root);
  }

  /**
   * Reads a FieldsV1 document (`{"f:spec":{".":{},"f:source":{}}}`). `{}` marks a member,
   * `"."` marks a node that is a member and has children. Unknown element types are skipped,
   * malformed ones throw.
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (!isJsonObject(fields)) throw new Error('FieldsV1 must be a JSON object');
    return new FieldSet(readFieldsV1(fields));
  }

  /** The FieldsV1 document, keys in structured-merge-diff order (`"."` first). */
  toFieldsV1(): JsonObject {
    return writeFieldsV1(this.root, false);
  }

  isEmpty(): boolean {
    return isEmptyNode(this.root);
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: Node | undefined = this.root;
    for (const element of path.slice(0, -1)) {
      node = node.children.get(serializePathElement(element))?.node;
      if (!node) return false;
    }
    return node.members.has(serializePathElement(path[path.length - 1]));
  }

  /** Whether `element` (directly below the root of this set) is a member. */
  hasMember(element: PathElement): boolean {
    return this.root.members.has(serializePathElement(element));
  }

  /** The paths below `element`, relative to it (empty when there are none). */
  child(element: PathElement): FieldSet {
    // Sets never change once built, so the subtree can be shared.
    const child = this.root.children.get(serializePathElement(element));
    return child ? new FieldSet(child.node) : FieldSet.empty();
  }

  /** Every member path, in structured-merge-diff order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: Node, prefix: FieldPath): void => {
      const keys = new Map<string, PathElement>(node.members);
      for (const [key, child] of node.children) keys.set(key, child.element);
      for (const [key, element] of [...keys].sort((a, b) => comparePathElements(a[1], b[1]))) {
        const path = [...prefix, element];
        if (node.members.has(key)) out.push(path);
        const child = node.children.get(key);
        if (child) walk(child.node, path);
      }
    };
    walk(this.root, []);
    return out;
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet(unionNodes(this.root, other.root));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(intersectNodes(this.root, other.root));
  }

  /** The members of this set that are not members of `other` (member-wise, like Set.Difference). */
  difference(other: FieldSet): FieldSet {
    return new FieldSet(differenceNodes(this.root, other.root));
  }

  /** This set without the members of `other` and everything below them (Set.RecursiveDifference). */
  recursiveDifference(other: FieldSet): FieldSet {
    return new FieldSet(recursiveDifferenceNodes(this.root, other.root));
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }
}

function unionNodes(a: Node, b: Node): Node {
  const out = copyNode(a);
  for (const [key, element] of b.members) out.members.set(key, element);
  for (const [key, child] of b.children) {
    const mine = out.children.get(key);
    out.children.set(key, {
      element: child.element,
      node: mine ? unionNodes(mine.node, child.node) : copyNode(child.node),
    });
  }
  return out;
}

function intersectNodes(a: Node, b: Node): Node {
  const out = emptyNode();
  for (const [key, element] of a.members) if (b.members.has(key)) out.members.set(key, element);
  for (const [key, child] of a.children) {
    const theirs = b.children.get(key);
    if (!theirs) continue;
    const node = intersectNodes(child.node, theirs.node);
    if (!isEmptyNode(node)) out.children.set(key, { element: child.element, node });
  }
  return out;
}

function differenceNodes(a: Node, b: Node): Node {
  const out = emptyNode();
  for (const [key, element] of a.members) if (!b.members.has(key)) out.members.set(key, element);
  for (const [key, child] of a.children) {
    const theirs = b.children.get(key);
    const node = theirs ? differenceNodes(child.node, theirs.node) : copyNode(child.node);
    if (!isEmptyNode(node)) out.children.set(key, { element: child.element, node });
  }
  return out;
}

function recursiveDifferenceNodes(a: Node, b: Node): Node {
  const out = emptyNode();
  for (const [key, element] of a.members) if (!b.members.has(key)) out.members.set(key, element);
  for (const [key, child] of a.children) {
    if (b.members.has(key)) continue;
    const theirs = b.children.get(key);
    const node = theirs ? recursiveDifferenceNodes(child.node, theirs.node) : copyNode(child.node);
    if (!isEmptyNode(node)) out.children.set(key, { element: child.element, node });
  }
  return out;
}

function readFieldsV1(fields: JsonObject): Node {
  const node = emptyNode();
  for (const [key, value] of Object.entries(fields)) {
    if (key === '.') continue;
    const element = deserializePathElement(key);
    if (!element) continue;
    if (!isJsonObject(value)) throw new Error(`FieldsV1 entry ${JSON.stringify(key)} must be an object`);
    const serialized = serializePathElement(element);
    const child = readFieldsV1(value);
    // As in structured-merge-diff, a node with nothing (known) below it is a member.
    if (isEmptyNode(child) || Object.hasOwn(value, '.')) node.members.set(serialized, element);
    if (!isEmptyNode(child)) node.children.set(serialized, { element, node: child });
  }
  return node;
}

function writeFieldsV1(node: Node, self: boolean): JsonObject {
  const out: JsonObject = {};
  if (self) out['.'] = {};
  const keys = new Map<string, PathElement>(node.members);
  for (const [key, child] of node.children) keys.set(key, child.element);
  for (const [key] of [...keys].sort((a, b) => comparePathElements(a[1], b[1]))) {
    const child = node.children.get(key);
    setMember(out, key, child ? writeFieldsV1(child.node, node.members.has(key)) : {});
  }
  return out;
}
