import { log, type BenchContext } from '../bench-context.js';
import { flunders } from '../targets/served-resource.js';
import type { ServerTarget } from '../targets/server-target.js';
import { NAMESPACES } from '../workloads.js';

/** The object every GET workload reads, `<get namespace>/object-0`. */
export const GET_OBJECT_NAME = 'object-0';

/** Bytes of the JSON `target` answers for a GET of `name` in the GET namespace. */
export async function objectBytes(
  context: BenchContext,
  target: ServerTarget,
  name = GET_OBJECT_NAME,
): Promise<number> {
  const response = await context.request(target, `${target.resource.collectionPath(NAMESPACES.get)}/${name}`);
  if (response.status !== 200)
    throw new Error(`GET ${name} from ${target.id}: HTTP ${response.status} ${response.body}`);
  return Buffer.byteLength(response.body);
}

/**
 * Sizes the padding annotation of sample-apiserver's Flunders so that a GET of one answers as
 * many bytes as `referenceBytes` (this server's MetricSnapshot): creates probe objects, named
 * as long as the GET object's name, until the sizes match. Returns the padding and sets the
 * target's resource to use it.
 */
export async function matchObjectSize(
  context: BenchContext,
  target: ServerTarget,
  referenceBytes: number,
): Promise<number> {
  let padding = 0;
  let bytes = 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    // The same length as GET_OBJECT_NAME, so the name does not change the size.
    const name = `sizing-${attempt}`;
    target.resource = flunders(padding);
    const collection = target.resource.collectionPath(NAMESPACES.get);
    const created = await context.request(
      target,
      collection,
      'POST',
      target.resource.object(name, NAMESPACES.get),
    );
    if (created.status !== 201)
      throw new Error(`creating ${name} in ${target.id}: HTTP ${created.status} ${created.body}`);
    bytes = await objectBytes(context, target, name);
    if (bytes === referenceBytes || (bytes > referenceBytes && padding === 0)) break;
    padding = Math.max(0, padding + referenceBytes - bytes);
  }
  target.resource = flunders(padding);
  log(
    `${target.id}: ${padding} bytes of padding make a GET answer ${bytes} bytes (reference ${referenceBytes})`,
  );
  return padding;
}
