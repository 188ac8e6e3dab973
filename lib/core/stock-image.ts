/**
 * What the stock image (`server/Dockerfile`, the entry `server/main.ts`) serves by itself. The
 * constructs cannot import the stock entry (it loads the server's runtime), so its built-ins are
 * named here; test/lib/core/stock-image.test.ts checks the names against the entry's own
 * definitions and controllers.
 */

/**
 * The resources the stock image serves with code of its own (conversion, hooks, the collector),
 * as `<plural>.<group>`: a definition of that name is served by the image's built-in, never from
 * the ConfigMap.
 */
export const STOCK_IMAGE_RESOURCES: readonly string[] = ['metricsnapshots.metrics.example.com'];

/** The resource the stock image's collector fills from Prometheus (`prometheus` option). */
export const COLLECTED_RESOURCE = 'metricsnapshots.metrics.example.com';

/** The stock image's controllers, with the resource each works on (`<plural>.<group>`). */
export const STOCK_IMAGE_CONTROLLERS: Readonly<Record<string, string>> = {
  'metricsnapshot-collector': COLLECTED_RESOURCE,
};
