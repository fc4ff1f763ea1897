import { ROUTE_GROUPS } from '../routes/route-groups';
import { createOpenApiDocument } from './openapi-document';

/** The api's version in the document (the root package's). */
const API_VERSION = '0.1.0';

let cached: ReturnType<typeof createOpenApiDocument> | undefined;

/** This api's OpenAPI document, built once per process (it depends on the code alone). */
export function apiDocument(): ReturnType<typeof createOpenApiDocument> {
  cached ??= createOpenApiDocument(ROUTE_GROUPS, { version: API_VERSION });
  return cached;
}
