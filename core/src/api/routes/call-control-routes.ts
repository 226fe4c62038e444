/** Placing and hanging up calls over the API: `POST /v1/calls`, `DELETE /v1/calls/:id`. */
import { Type } from '@vapi-cn/sdk-plugin-api';
import type { CallControl, OutboundCallRequest } from '../../call/call-control.js';
import type { HttpServer } from '../http-server.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const PhoneField = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$', description });
const OutboundCallBody = Type.Object(
  {
    assistantId: Type.String({ minLength: 1, maxLength: 200 }),
    to: PhoneField('the number to call, written any usual way (+86 138 0013 8000, 13800138000) or a SIP URI; stored, never logged'),
    from: Type.Optional(PhoneField('the caller id to present, where the carrier allows it')),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'carrier plugin to route through (telephony transports)' })),
    transport: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'default: the only enabled transport that can dial' })),
    variables: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "values for the assistant's {{name}} placeholders" })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 600_000, description: 'how long to let it ring before giving up (no-answer)' })),
  },
  { additionalProperties: false },
);

export function addCallControlRoutes(http: HttpServer, control: () => CallControl): void {
  const add = (definition: Parameters<HttpServer['addRoute']>[0]) => http.addRoute(definition, 'core');

  add({ method: 'POST', url: '/v1/calls', summary: 'Place an outbound call: answers 201 with the record (queued) at once, then dials', tags: ['calls'],
    schema: { body: OutboundCallBody },
    handler: async (request, reply) => {
      const record = await control().place(request.body as OutboundCallRequest);
      reply.status(201);
      return record;
    } });

  add({ method: 'DELETE', url: '/v1/calls/:id', summary: 'Cancel a call being dialled or hang up one in progress', tags: ['calls'], schema: { params: Id },
    handler: async (request, reply) => {
      const { outcome, record } = await control().hangUp((request.params as { id: string }).id);
      // Running on another node: it was asked over the bus and ends there.
      reply.status(outcome === 'ended' ? 200 : 202);
      return record;
    } });
}
