/** REST over the store: assistants (CRUD), calls and their events, API keys. All need an API key. */
import { VapiError, Type, type Store } from '@vapi-cn/sdk-plugin-api';
import type { HttpServer } from '../http-server.js';
import { hideSecrets, keepStoredSecrets } from '../secret-fields.js';

/** An assistant as the API shows it: secrets in its config redacted. */
const shown = <T extends { config: Record<string, unknown> }>(assistant: T): T => ({ ...assistant, config: hideSecrets(assistant.config) as Record<string, unknown> });

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
});
const AssistantBody = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
const AssistantPatch = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), config: Type.Optional(Type.Record(Type.String(), Type.Unknown())) },
  { additionalProperties: false },
);

function notFound(what: string, id: string): VapiError {
  return new VapiError(`${what} '${id}' does not exist`, { code: 'VAPI_ERR_HTTP_NOT_FOUND', category: 'invalid_request', details: { status: 404 } });
}

export function addRestRoutes(http: HttpServer, store: Store): void {
  const add = (definition: Parameters<HttpServer['addRoute']>[0]) => http.addRoute(definition, 'core');
  const tags = (tag: string) => [tag];

  add({ method: 'GET', url: '/v1/assistants', summary: 'List assistants', tags: tags('assistants'), schema: { querystring: Paging },
    handler: async (request) => (await store.assistants.list(request.query as { limit?: number; offset?: number })).map(shown) });
  add({ method: 'POST', url: '/v1/assistants', summary: 'Create an assistant', tags: tags('assistants'), schema: { body: AssistantBody },
    handler: async (request, reply) => {
      const body = request.body as { id?: string; name: string; config?: Record<string, unknown> };
      if (body.id && (await store.assistants.get(body.id))) {
        throw new VapiError(`assistant '${body.id}' already exists`, { code: 'VAPI_ERR_HTTP_CONFLICT', category: 'invalid_request', details: { status: 409 }, fix: 'use PUT to change it' });
      }
      reply.status(201);
      return shown(await store.assistants.create(body));
    } });
  add({ method: 'GET', url: '/v1/assistants/:id', summary: 'Get an assistant', tags: tags('assistants'), schema: { params: Id },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const assistant = await store.assistants.get(id);
      if (!assistant) throw notFound('assistant', id);
      return shown(assistant);
    } });
  add({ method: 'PUT', url: '/v1/assistants/:id', summary: 'Change an assistant (calls in progress pick it up at their next turn)', tags: tags('assistants'), schema: { params: Id, body: AssistantPatch },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const patch = request.body as { name?: string; config?: Record<string, unknown> };
      const stored = await store.assistants.get(id);
      if (!stored) throw notFound('assistant', id);
      if (patch.config) patch.config = keepStoredSecrets(patch.config, stored.config) as Record<string, unknown>;
      const updated = await store.assistants.update(id, patch);
      if (!updated) throw notFound('assistant', id);
      return shown(updated);
    } });
  add({ method: 'DELETE', url: '/v1/assistants/:id', summary: 'Delete an assistant', tags: tags('assistants'), schema: { params: Id },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await store.assistants.delete(id))) throw notFound('assistant', id);
      reply.status(204);
      return '';
    } });

  add({ method: 'GET', url: '/v1/calls', summary: 'List calls, newest first', tags: tags('calls'),
    schema: { querystring: Type.Composite([Paging, Type.Object({ assistantId: Type.Optional(Type.String()), status: Type.Optional(Type.Union(['queued', 'ringing', 'in-progress', 'ended'].map((s) => Type.Literal(s)))) })]) },
    handler: (request) => store.calls.list(request.query as Parameters<Store['calls']['list']>[0]) });
  add({ method: 'GET', url: '/v1/calls/:id', summary: 'Get a call with its events (transcript, latency...)', tags: tags('calls'), schema: { params: Id },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const call = await store.calls.get(id);
      if (!call) throw notFound('call', id);
      return { ...call, events: await store.callEvents.list(id) };
    } });

  add({ method: 'GET', url: '/v1/api-keys', summary: 'List API keys (never the keys themselves)', tags: tags('api-keys'), handler: () => store.apiKeys.list() });
  add({ method: 'POST', url: '/v1/api-keys', summary: 'Create an API key; the key is in this response only', tags: tags('api-keys'),
    schema: { body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }) },
    handler: async (request, reply) => {
      const created = await store.apiKeys.create((request.body as { name: string }).name);
      reply.status(201);
      return { key: created.key, ...created.record };
    } });
  add({ method: 'DELETE', url: '/v1/api-keys/:id', summary: 'Revoke an API key', tags: tags('api-keys'), schema: { params: Id },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await store.apiKeys.revoke(id))) throw notFound('API key', id);
      reply.status(204);
      return '';
    } });
}
