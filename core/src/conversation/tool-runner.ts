/**
 * Runs the tools an assistant offers its model: the built-ins (endCall, transferCall, handoff,
 * sendDtmf) here, `function` tools by a signed POST to their webhook, `client` tools by asking
 * the call's client. Whatever goes wrong (bad arguments, a slow, failing or confused webhook or
 * client, a leg that cannot do it, a tool nobody configured) becomes a result the model can read
 * and apologise for, plus a VapiError for the call's record: a tool never throws, and never waits
 * past its timeout.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isVapiError, VapiError, type Clock, type ToolCall, type ToolDefinition } from '@vapi-cn/sdk-plugin-api';
import type { ToolContext, ToolOutcome, ToolRunner } from '../call/call-session.js';
import { BUILTIN_TOOL_NAMES, toolName, type AssistantSettings, type ClientToolSettings, type FunctionToolSettings, type ToolSettings } from './assistant-settings.js';
import { signWebhook } from './webhook-signature.js';
import { networkErrorCode, statusCategory } from './webhook-failure.js';

/** A ToolOutcome that may also hand the call to another assistant of the squad. */
export interface HandoffOutcome extends ToolOutcome {
  /** The assistant to continue the call with. */
  handoffTo?: string;
  /** What the model told the next assistant. */
  summary?: string;
}

export interface AssistantToolRunnerOptions {
  /** Sent to webhooks as `call.id`. A runner serves one call. */
  callId: string;
  /** Stamps signatures. */
  clock: Clock;
  /** A tool call failed; the model has been told. For the call's record and logs. */
  onError?: (error: VapiError, call: ToolCall) => void;
}

type Arguments = Record<string, unknown>;

/** Up to 64 keys and pauses, with at least one key. */
const DTMF_KEYS_PATTERN = '^(?=.*[0-9*#A-D])[0-9*#A-DwW]{1,64}$';

/** The ToolRunner for one call: the tools of the assistant's settings, as last offered to the model. */
export class AssistantToolRunner implements ToolRunner {
  // The model may only call what it was offered, so run() uses the settings of the last definitions().
  private offered: AssistantSettings | undefined;
  private ajv: Ajv | undefined;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly options: AssistantToolRunnerOptions) {}

  /** The tool definitions for an LLM request; remembers `settings` for the run() calls that follow. */
  definitions(settings: AssistantSettings): ToolDefinition[] {
    this.offered = settings;
    return settings.tools.map(definitionOf);
  }

  /** Runs one tool call from the model. Resolves with a result for the model; never rejects. */
  async run(call: ToolCall, signal: AbortSignal, context: ToolContext = {}): Promise<HandoffOutcome> {
    const tool = this.offered?.tools.find((candidate) => toolName(candidate) === call.name);
    if (!tool) {
      return this.failed(call, new VapiError(`the model called '${call.name}', which is not one of the assistant's tools`, { code: 'VAPI_ERR_TOOL_UNKNOWN', category: 'invalid_request' }), `There is no tool named "${call.name}". Use only the tools you were given.`);
    }
    const parsed = parseArguments(call.arguments);
    if ('problem' in parsed) return this.badArguments(call, parsed.problem, parsed.forModel);
    const args = parsed.args;
    const problems = this.schemaProblems(call, definitionOf(tool).parameters, args);
    if (problems instanceof VapiError) return this.failed(call, problems, brokenResult(call));
    if (problems.length > 0) return this.badArguments(call, describeSchemaErrors(problems, false), describeSchemaErrors(problems, true));
    switch (tool.type) {
      case 'endCall':
        return { result: 'The call is ending.', endCall: true };
      // The enums in the built-ins' schemas guarantee the lookups below find a match.
      case 'transferCall': {
        // With a single destination the model need not name it.
        const wanted = args.destination ?? destinationOf(tool.destinations[0]!);
        const destination = tool.destinations.find((d) => destinationOf(d) === wanted)!;
        return { result: `Transferring the call to ${destination.description}.`, transferTo: destinationOf(destination) };
      }
      case 'handoff': {
        const target = tool.assistants.find((a) => a.assistantId === args.assistantId)!;
        return { result: `Handing the call to ${target.description}.`, handoffTo: target.assistantId, summary: String(args.summary) };
      }
      case 'function':
        return this.callWebhook(tool, call, args, signal);
      case 'client':
        return this.callClient(tool, call, signal, context);
      case 'sendDtmf':
        return this.sendDtmf(call, String(args.digits), signal, context);
    }
  }

  /** How `args` fail the tool's schema (none: they pass), or a VapiError when the schema does not compile. */
  private schemaProblems(call: ToolCall, schema: Record<string, unknown>, args: Arguments): ErrorObject[] | VapiError {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      // addUsedSchema off: two tools whose schemas share an $id must not collide.
      this.ajv ??= new Ajv({ allErrors: true, strict: false, addUsedSchema: false });
      try {
        validate = this.ajv.compile(schema);
      } catch (error) {
        return new VapiError(`the parameters of tool '${call.name}' are not a valid JSON schema: ${(error as Error).message}`, {
          code: 'VAPI_ERR_TOOL_SCHEMA',
          category: 'invalid_request',
          fix: `correct tools[].parameters of '${call.name}' in the assistant with PUT /v1/assistants/:id`,
        });
      }
      this.validators.set(key, validate);
    }
    return validate(args) ? [] : (validate.errors ?? []);
  }

  private async callWebhook(tool: FunctionToolSettings, call: ToolCall, args: Arguments, signal: AbortSignal): Promise<HandoffOutcome> {
    const { url, timeoutMs } = tool.webhook;
    const secret = tool.webhook.secret ?? this.offered?.server.secret;
    const body = JSON.stringify({ type: 'tool-calls', call: { id: this.options.callId }, toolCall: { id: call.id, name: call.name, arguments: args } });
    const headers = { 'content-type': 'application/json', ...(secret ? signWebhook(secret, body, this.options.clock.now()) : {}) };
    const timeout = AbortSignal.timeout(timeoutMs);
    const failedResult = brokenResult(call);
    let status: number;
    let text: string;
    try {
      // No redirects: following one would send the signed body somewhere else.
      const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([signal, timeout]) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal.aborted) return { result: `The call to "${call.name}" was cancelled.` };
      if (timeout.aborted) {
        return this.failed(call, new VapiError(`tool '${call.name}' did not answer within ${timeoutMs} ms`, { code: 'VAPI_ERR_TOOL_TIMEOUT', category: 'timeout', details: { timeoutMs } }), failedResult);
      }
      // The cause is left out: its message can repeat the URL, which may carry a token.
      return this.failed(call, new VapiError(`tool '${call.name}' could not be reached`, { code: 'VAPI_ERR_TOOL_NETWORK', category: 'connectivity', details: { reason: networkErrorCode(error) } }), failedResult);
    }
    if (status < 200 || status >= 300) {
      return this.failed(call, new VapiError(`tool '${call.name}' answered with HTTP ${status}`, { code: 'VAPI_ERR_TOOL_HTTP', category: statusCategory(status), details: { status } }), failedResult);
    }
    const answer = parseJsonObject(text);
    if (answer?.result !== undefined) return { result: typeof answer.result === 'string' ? answer.result : JSON.stringify(answer.result) };
    if (typeof answer?.error === 'string') return { result: `The tool "${call.name}" reported an error: ${answer.error}` };
    return this.failed(call, new VapiError(`tool '${call.name}' answered without a JSON { result } or { error }`, { code: 'VAPI_ERR_TOOL_RESPONSE', category: 'bad_input', details: { status, bytes: text.length } }), failedResult);
  }

  /** Asks the call's client to run the tool and gives the model its answer. */
  private async callClient(tool: ClientToolSettings, call: ToolCall, signal: AbortSignal, context: ToolContext): Promise<HandoffOutcome> {
    if (!context.askClient) {
      return this.failed(
        call,
        new VapiError(`tool '${call.name}' runs on the client, and this call's client cannot run tools`, {
          code: 'VAPI_ERR_TOOL_CLIENT_UNSUPPORTED',
          category: 'invalid_request',
          fix: 'offer client tools only to assistants that take calls over the voice WebSocket API (not telephone calls), or use a function tool with a webhook',
        }),
        `The tool "${call.name}" cannot run on this call. Tell the caller you cannot do that right now; do not call it again.`,
      );
    }
    const answer = await context.askClient(call, tool.timeoutMs, signal);
    switch (answer.status) {
      case 'answered':
        return { result: resultText(call, answer.result) };
      case 'cancelled':
        return { result: `The call to "${call.name}" was cancelled.` };
      case 'timeout':
        return this.failed(
          call,
          new VapiError(`the client did not answer tool '${call.name}' within ${tool.timeoutMs} ms`, {
            code: 'VAPI_ERR_TOOL_CLIENT_TIMEOUT',
            category: 'timeout',
            details: { timeoutMs: tool.timeoutMs },
            fix: 'answer each function_call that has awaits_result with function_result within its timeout_ms, or raise the tool\'s timeoutMs',
          }),
          brokenResult(call),
        );
    }
  }

  /** Presses keys on the call (the schema checked `digits`). */
  private async sendDtmf(call: ToolCall, digits: string, signal: AbortSignal, context: ToolContext): Promise<HandoffOutcome> {
    if (!context.sendDtmf) {
      return this.failed(
        call,
        new VapiError('the model tried to send DTMF on a call that cannot carry it', {
          code: 'VAPI_ERR_TOOL_DTMF_UNSUPPORTED',
          category: 'invalid_request',
          fix: 'offer the sendDtmf tool only to assistants on telephone calls whose transport sends DTMF',
        }),
        `This call cannot send keypad tones, so "${call.name}" does not work here. Do not call it again; carry on by voice.`,
      );
    }
    try {
      await context.sendDtmf(digits, signal);
    } catch (error) {
      if (signal.aborted) return { result: `Pressing the keys was cancelled.` };
      return this.failed(
        call,
        new VapiError(`the call's transport could not send DTMF: ${(error as Error).message}`, { code: 'VAPI_ERR_TOOL_DTMF_FAILED', category: isVapiError(error) ? error.category : 'server', cause: error }),
        brokenResult(call),
      );
    }
    return { result: `Pressed ${digits}.` };
  }

  /**
   * `why` goes into the error, which is logged; `forModel` may add values (the arguments, the
   * allowed destinations) that can hold phone numbers or what the caller said.
   */
  private badArguments(call: ToolCall, why: string, forModel = why): HandoffOutcome {
    return this.failed(
      call,
      new VapiError(`the model's arguments for '${call.name}' were rejected: ${why}`, { code: 'VAPI_ERR_TOOL_ARGUMENTS', category: 'bad_input' }),
      `The arguments for "${call.name}" were not accepted: ${forModel}. Call it again with arguments that match its parameters.`,
    );
  }

  private failed(call: ToolCall, error: VapiError, result: string): HandoffOutcome {
    try {
      this.options.onError?.(error, call);
    } catch {
      // Reporting is best effort; the model still gets its answer.
    }
    return { result };
  }
}

/** What the model hears when a tool broke, so it apologises instead of retrying. */
function brokenResult(call: ToolCall): string {
  return `The tool "${call.name}" failed and gave no answer. Apologise to the caller and offer another way to help; do not call it again now.`;
}

/** A client's result as the model reads it: text as it is, anything else as JSON. */
function resultText(call: ToolCall, result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined || result === null) return `The tool "${call.name}" finished and returned nothing.`;
  return JSON.stringify(result);
}

function destinationOf(destination: { number: string } | { sipUri: string }): string {
  return 'number' in destination ? destination.number : destination.sipUri;
}

function definitionOf(tool: ToolSettings): ToolDefinition {
  switch (tool.type) {
    case 'function':
    case 'client':
      return { name: tool.name, description: tool.description, parameters: tool.parameters };
    case 'sendDtmf':
      return {
        name: BUILTIN_TOOL_NAMES.sendDtmf,
        description: 'Press keys on the phone keypad (DTMF tones), e.g. to choose an option in an automated phone menu. Keys: 0-9, *, #, A-D; w waits half a second, W one second.',
        parameters: {
          type: 'object',
          properties: { digits: { type: 'string', pattern: DTMF_KEYS_PATTERN, description: 'The keys to press in order, e.g. "1" or "1234#"' } },
          required: ['digits'],
        },
      };
    case 'endCall':
      return {
        name: BUILTIN_TOOL_NAMES.endCall,
        description: 'End the call. Use it once the conversation is over and you have said goodbye.',
        parameters: { type: 'object', properties: { reason: { type: 'string', description: 'Why the call ends, in a few words' } } },
      };
    case 'transferCall': {
      const values = tool.destinations.map(destinationOf);
      return {
        name: BUILTIN_TOOL_NAMES.transferCall,
        description: `Transfer the caller to a person or another line. Destinations: ${tool.destinations.map((d) => `${destinationOf(d)} (${d.description})`).join('; ')}.`,
        parameters: {
          type: 'object',
          properties: { destination: { type: 'string', enum: values, description: 'Where to transfer the call' } },
          ...(values.length > 1 ? { required: ['destination'] } : {}),
        },
      };
    }
    case 'handoff':
      return {
        name: BUILTIN_TOOL_NAMES.handoff,
        description: `Hand the conversation to another assistant. Assistants: ${tool.assistants.map((a) => `${a.assistantId} (${a.description})`).join('; ')}.`,
        parameters: {
          type: 'object',
          properties: {
            assistantId: { type: 'string', enum: tool.assistants.map((a) => a.assistantId) },
            summary: { type: 'string', description: 'What the next assistant needs to know about the caller and the request' },
          },
          required: ['assistantId', 'summary'],
        },
      };
  }
}

/** The model's argument text as an object, or what is wrong with it. Models send '' for "no arguments". */
function parseArguments(raw: string): { args: Arguments } | { problem: string; forModel?: string } {
  if (raw.trim() === '') return { args: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { problem: 'they are not valid JSON', forModel: `they are not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'they must be a JSON object' };
  return { args: value as Arguments };
}

/** ajv's errors as one line; with `values`, the allowed values too (they help the model pick). */
function describeSchemaErrors(errors: ErrorObject[], values: boolean): string {
  return errors
    .slice(0, 5)
    .map((error) => {
      const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'the arguments';
      const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string };
      const extra = values && params.allowedValues ? `: ${params.allowedValues.join(', ')}` : params.additionalProperty ? ` ('${params.additionalProperty}')` : '';
      return `${where} ${error.message ?? 'is invalid'}${extra}`;
    })
    .join('; ');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
