import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';

type Method = RouteConfig['method'];
type Request = NonNullable<RouteConfig['request']>;

/**
 * The operations under one OpenAPI tag, one call each: `api.post(path, summary, { params, body, answers })`,
 * what the route takes beside what it answers (`ok(...)`, `created(...)` in schemas.ts). Each is
 * zod-openapi's createRoute with the method and tag filled in, so a handler is still typed from the
 * route's schemas; a route file reads as a list of what the API does rather than of object keys.
 */
export function operations(tag: string) {
  const verb =
    <M extends Method>(method: M) =>
    <P extends string, Q extends Request, R extends RouteConfig['responses']>(path: P, summary: string, spec: Q & { answers: R }) => {
      const { answers, ...request } = spec;
      return createRoute({ method, path, tags: [tag], summary, request, responses: answers });
    };
  return { get: verb('get'), post: verb('post'), put: verb('put'), patch: verb('patch'), delete: verb('delete') };
}

/** A JSON request body of this schema (required unless said otherwise). */
export const body = <T extends z.ZodType>(schema: T, required = true) => ({ content: { 'application/json': { schema } }, required });
