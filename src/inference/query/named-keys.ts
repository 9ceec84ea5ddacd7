/**
 * The values a record names by their key's path: a Helm value's comment "ignored while
 * autoscaling.enabled is true", a setting's "overrides logging.level", a note "see db.pool.max".
 * Such a record says what it means only beside that value: kept without it, `replicaCount: 4` reads
 * as the replica count (review 4, F-15: the comment was kept, `autoscaling.enabled: true` was not).
 */

import { type JsonNode, keyOf, type TreeSource, valueNode } from '../../util/json-source.ts';

/** A dotted path of two keys or more ("autoscaling.enabled"), not inside a longer word or path. */
const PATH = /(?<![\w.-])[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+(?![\w-])/g;

/** The node at `keys` from `root`, an object's key at a time; undefined when a key is missing. */
function resolve(root: JsonNode, keys: readonly string[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const key of keys) {
    if (node?.type !== 'object') return undefined;
    const property: JsonNode | undefined = (node.children ?? []).find((p) => keyOf(p) === key);
    node = property ? valueNode(property) : undefined;
  }
  return node;
}

const within = (node: JsonNode, outer: JsonNode) => {
  for (let n: JsonNode | undefined = node; n; n = n.parent) if (n === outer) return true;
  return false;
};

/**
 * The scalar values (a flag, a number, a short string: what decides, not a section) whose path from
 * the document's root the texts of `nodes` name (a record and the fields kept with it), their
 * comments included; none of `nodes` nor inside one. A path that is no key of the document (a host
 * name, "orders.v3") names nothing.
 */
export function valuesNamedBy(source: TreeSource, nodes: readonly JsonNode[]): JsonNode[] {
  const out = new Set<JsonNode>();
  for (const node of nodes)
    for (const [path] of source.piece(node).matchAll(PATH)) {
      const value = resolve(source.root, path.split('.'));
      if (value && value.type !== 'object' && value.type !== 'array' && !nodes.some((n) => within(value, n)))
        out.add(value);
    }
  return [...out];
}

/** A field that switches its object on or off: `enabled: true`, `disabled: false`, `active: no`. */
const SWITCH_KEY = /^(?:enabled?|disabled?|active|on|off)$/i;

/**
 * The switch of the object a record is a field of (`autoscaling.enabled` beside `maxReplicas`), when
 * the record is not that switch: the object's other fields apply only as it says (review 4, F-15:
 * `autoscaling:` came back with `minReplicas: 6` and `maxReplicas: 20` and without `enabled: true`).
 * None for a field of the document's root, whose fields are no one object's.
 */
export function switchOf(source: TreeSource, node: JsonNode): JsonNode[] {
  const holder = node.parent?.type === 'property' ? node.parent.parent : undefined;
  if (holder?.type !== 'object' || holder === source.root) return [];
  return (holder.children ?? []).flatMap((p) => {
    const v = valueNode(p);
    return v && v !== node && SWITCH_KEY.test(keyOf(p)) && v.type !== 'object' && v.type !== 'array' ? [v] : [];
  });
}
