/**
 * Number routes over the API: `/v1/phone-numbers` (called number → assistant). Patterns are
 * normalised on the way in, so `+86 400-123-4567` is stored, found and deleted as `4001234567`.
 * Every write tells the number router, which reloads here and on the other nodes.
 */
import { VapiError, Type, type PhoneNumberRoute, type Store } from '@vapi-cn/sdk-plugin-api';
import type { HttpServer } from '../http-server.js';
import { parseNumberPattern } from '../../routing/number-pattern.js';

export interface RouteChanges {
  /** Called after every write; reloads the routing copy here and on the other nodes. */
  changed(): Promise<void>;
}

const Pattern = Type.Object({ pattern: Type.String({ minLength: 1, maxLength: 64, description: 'an exact number, a prefix ending in *, or *; URL-encode + and spaces' }) });
const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
const AssistantId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' });
// Null first: ajv would otherwise coerce a null to the empty string.
const Label = Type.Union([Type.Null(), Type.String({ maxLength: 200 })]);
const RouteBody = Type.Object(
  {
    pattern: Type.String({ minLength: 1, maxLength: 64, examples: ['4001234567', '+86 400-123-4567', '400*', '*'] }),
    assistantId: AssistantId,
    label: Type.Optional(Label),
  },
  { additionalProperties: false },
);
const RoutePatch = Type.Object({ assistantId: Type.Optional(AssistantId), label: Type.Optional(Label) }, { additionalProperties: false, minProperties: 1 });

function notFound(pattern: string): VapiError {
  return new VapiError(`no route for '${pattern}'`, {
    code: 'VAPI_ERR_HTTP_NOT_FOUND',
    category: 'invalid_request',
    details: { status: 404 },
    fix: 'GET /v1/phone-numbers lists the routes; create one with POST /v1/phone-numbers',
  });
}

async function assistantExists(store: Store, assistantId: string): Promise<void> {
  if (await store.assistants.get(assistantId)) return;
  throw new VapiError(`assistant '${assistantId}' does not exist`, {
    code: 'VAPI_ERR_ASSISTANT_NOT_FOUND',
    category: 'invalid_request',
    fix: 'create it first with POST /v1/assistants, or route to an existing assistant',
  });
}

export function addPhoneNumberRoutes(http: HttpServer, store: Store, routes: RouteChanges): void {
  const add = (definition: Parameters<HttpServer['addRoute']>[0]) => http.addRoute(definition, 'core');
  const tags = ['phone-numbers'];
  const patternOf = (request: { params: unknown }) => parseNumberPattern((request.params as { pattern: string }).pattern).pattern;

  add({ method: 'GET', url: '/v1/phone-numbers', summary: 'List number routes created through the API (config-file routes are in the config)', tags, schema: { querystring: Paging },
    handler: (request) => store.phoneNumbers.list(request.query as { limit?: number; offset?: number }) });

  add({ method: 'POST', url: '/v1/phone-numbers', summary: 'Route a number, a prefix (400*) or every number (*) to an assistant', tags, schema: { body: RouteBody },
    handler: async (request, reply) => {
      const body = request.body as { pattern: string; assistantId: string; label?: string | null };
      const { pattern } = parseNumberPattern(body.pattern);
      await assistantExists(store, body.assistantId);
      if (await store.phoneNumbers.get(pattern)) throw conflict(pattern);
      let created: PhoneNumberRoute;
      try {
        created = await store.phoneNumbers.create({ pattern, assistantId: body.assistantId, label: body.label ?? null });
      } catch (error) {
        // Created by another request between the check and the insert.
        if ((error as { code?: string }).code === 'VAPI_ERR_STORE_CONFLICT') throw conflict(pattern);
        throw error;
      }
      await routes.changed();
      reply.status(201);
      return created;
    } });

  add({ method: 'GET', url: '/v1/phone-numbers/:pattern', summary: 'Get a number route', tags, schema: { params: Pattern },
    handler: async (request) => {
      const pattern = patternOf(request);
      const route = await store.phoneNumbers.get(pattern);
      if (!route) throw notFound(pattern);
      return route;
    } });

  add({ method: 'PUT', url: '/v1/phone-numbers/:pattern', summary: 'Change the assistant or label of a number route', tags, schema: { params: Pattern, body: RoutePatch },
    handler: async (request) => {
      const pattern = patternOf(request);
      const patch = request.body as { assistantId?: string; label?: string | null };
      if (patch.assistantId !== undefined) await assistantExists(store, patch.assistantId);
      const updated = await store.phoneNumbers.update(pattern, patch);
      if (!updated) throw notFound(pattern);
      await routes.changed();
      return updated;
    } });

  add({ method: 'DELETE', url: '/v1/phone-numbers/:pattern', summary: 'Delete a number route', tags, schema: { params: Pattern },
    handler: async (request, reply) => {
      const pattern = patternOf(request);
      if (!(await store.phoneNumbers.delete(pattern))) throw notFound(pattern);
      await routes.changed();
      reply.status(204);
      return '';
    } });
}

function conflict(pattern: string): VapiError {
  return new VapiError(`'${pattern}' already has a route`, {
    code: 'VAPI_ERR_HTTP_CONFLICT',
    category: 'invalid_request',
    details: { status: 409 },
    fix: `change it with PUT /v1/phone-numbers/${encodeURIComponent(pattern)}`,
  });
}
