import type { Connection } from '@temporalio/client';
// A CommonJS package: its namespaces are reachable through the default export only under ESM.
import proto from '@temporalio/proto';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * Registers Driftline's search attributes in the namespace when they are missing; workflows that
 * upsert an unregistered attribute would fail their tasks. Needs operator rights (self-hosted and
 * dev servers); on Temporal Cloud, create them once in the Cloud UI or with tcld instead.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = DRIFTLINE_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
  return missing.map((key) => key.name);
}
