// The VAPI-CN console: plain JS on the SDK this server serves. No build step, nothing from elsewhere.
import { ConversationLog, VapiClient } from '/sdk/vapi-cn.js';

const $ = (id) => document.getElementById(id);
const KEY_STORAGE = 'vapi-cn.console.apiKey';
const ASSISTANT_STORAGE = 'vapi-cn.console.assistant';
const METRICS = [
  { key: 'sttFinalMs', label: 'STT final', cls: 'm-stt', color: '#1f5fa8' },
  { key: 'llmFirstTokenMs', label: 'LLM first token', cls: 'm-llm', color: '#b35c00' },
  { key: 'ttsFirstAudioMs', label: 'TTS first audio', cls: 'm-tts', color: '#2e7d32' },
  { key: 'voiceToVoiceMs', label: 'Voice to voice', cls: 'm-v2v', color: '#6a3d9a' },
];
const MAX_TURNS_SHOWN = 8;

const ui = {
  key: $('api-key'),
  assistant: $('assistant'),
  transport: $('transport'),
  processing: $('processing'),
  talk: $('talk'),
  status: $('status'),
  error: $('error'),
  conversation: $('conversation'),
  say: $('say'),
  sayButton: $('say-button'),
  micLevel: $('mic-level'),
  botLevel: $('bot-level'),
  latency: $('latency-chart'),
  calls: $('calls'),
  callDetail: $('call-detail'),
};

/**
 * A key in the URL's fragment (`/#key=…`, the URL the server prints on its first start): kept in
 * localStorage like a typed one, then taken out of the address bar and the history, so it is not
 * bookmarked or shared with the URL. A fragment never reaches the server or its logs.
 */
function takeKeyFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has('key')) return false;
  const key = (params.get('key') || '').trim();
  params.delete('key');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  if (!key) return false;
  localStorage.setItem(KEY_STORAGE, key);
  return true;
}
takeKeyFromFragment();

/** State the page keeps; `window.vapiConsole` exposes it for debugging (and the browser tests). */
const state = {
  apiKey: localStorage.getItem(KEY_STORAGE) || '',
  client: undefined,
  log: new ConversationLog(),
  turns: [],
  /** Every SDK event but audioLevel, with its time (ms since the page loaded). */
  events: [],
  /** Recent audio levels: { t, bot, mic }. */
  levels: [],
  maxBot: 0,
  maxMic: 0,
};
window.vapiConsole = state;

function record(type, payload) {
  state.events.push({ t: Math.round(performance.now()), type, ...payload });
  if (state.events.length > 2000) state.events.splice(0, 500);
}

// ---- REST API --------------------------------------------------------------------------------

async function api(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${state.apiKey}` }, cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = body && body.error;
    throw new Error(error ? `${error.message}${error.fix ? ` (${error.fix})` : ''} [${error.code}]` : `HTTP ${response.status}`);
  }
  return body;
}

function showError(message) {
  ui.error.hidden = !message;
  ui.error.textContent = message || '';
}

async function loadAssistants() {
  if (!state.apiKey) {
    ui.assistant.replaceChildren(new Option('Enter an API key first', ''));
    ui.assistant.disabled = true;
    ui.talk.disabled = true;
    return;
  }
  try {
    const assistants = await api('/v1/assistants?limit=200');
    const saved = localStorage.getItem(ASSISTANT_STORAGE);
    ui.assistant.replaceChildren(...assistants.map((a) => new Option(a.name && a.name !== a.id ? `${a.name} (${a.id})` : a.id, a.id)));
    if (assistants.length === 0) ui.assistant.replaceChildren(new Option('No assistants: create one with POST /v1/assistants', ''));
    if (saved && assistants.some((a) => a.id === saved)) ui.assistant.value = saved;
    ui.assistant.disabled = assistants.length === 0;
    ui.talk.disabled = assistants.length === 0;
    showError('');
  } catch (error) {
    ui.assistant.replaceChildren(new Option('Could not list assistants', ''));
    ui.assistant.disabled = true;
    ui.talk.disabled = true;
    showError(`Assistants: ${error.message}`);
  }
}

async function loadCalls() {
  if (!state.apiKey) return ui.calls.replaceChildren();
  try {
    const calls = await api('/v1/calls?limit=20');
    if (calls.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'hint';
      empty.textContent = 'No calls yet.';
      return ui.calls.replaceChildren(empty);
    }
    ui.calls.replaceChildren(
      ...calls.map((call) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.callId = call.id;
        const started = new Date(call.startedAt);
        const seconds = call.endedAt ? Math.round((new Date(call.endedAt) - started) / 1000) : undefined;
        button.textContent = [
          started.toLocaleString(),
          call.assistantId || '(no assistant)',
          call.transport,
          call.status === 'ended' ? `ended: ${call.endReason || '?'}` : call.status,
          seconds === undefined ? '' : `${seconds} s`,
        ].filter(Boolean).join(' · ');
        button.addEventListener('click', () => showCall(call.id, button));
        item.append(button);
        return item;
      }),
    );
  } catch (error) {
    const item = document.createElement('li');
    item.className = 'error';
    item.textContent = `Calls: ${error.message}`;
    ui.calls.replaceChildren(item);
  }
}

async function showCall(id, button) {
  for (const other of ui.calls.querySelectorAll('button')) other.removeAttribute('aria-current');
  button.setAttribute('aria-current', 'true');
  ui.callDetail.replaceChildren(paragraph('Loading…', 'hint'));
  try {
    const call = await api(`/v1/calls/${encodeURIComponent(id)}`);
    const heading = document.createElement('h3');
    heading.textContent = `Call ${call.id}`;
    const lines = call.events.filter((e) => e.type === 'transcript');
    const list = document.createElement('ol');
    list.className = 'transcript';
    list.setAttribute('aria-label', `Transcript of call ${call.id}`);
    for (const event of lines) list.append(entryItem(event.payload.role, event.payload.text, true));
    ui.callDetail.replaceChildren(heading, lines.length ? list : paragraph('No transcript.', 'hint'));
  } catch (error) {
    ui.callDetail.replaceChildren(paragraph(`Call ${id}: ${error.message}`, 'error'));
  }
}

function paragraph(text, className) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}

// ---- conversation and latency ----------------------------------------------------------------

function entryItem(role, text, isFinal) {
  const item = document.createElement('li');
  item.className = `${role === 'user' ? 'user' : 'assistant'}${isFinal ? '' : ' interim'}`;
  const who = document.createElement('span');
  who.className = 'role';
  who.textContent = role === 'user' ? 'You:' : 'Assistant:';
  const words = document.createElement('span');
  words.className = 'text';
  words.textContent = text;
  item.append(who, words);
  if (!isFinal) {
    const note = document.createElement('span');
    note.className = 'sr-only';
    note.textContent = role === 'user' ? ' (still listening)' : ' (speaking)';
    item.append(note);
  }
  return item;
}

function renderConversation(entries) {
  ui.conversation.replaceChildren(...entries.map((e) => entryItem(e.role, e.text, e.isFinal)));
  ui.conversation.scrollTop = ui.conversation.scrollHeight;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function renderLatency() {
  const turns = state.turns.slice(-MAX_TURNS_SHOWN);
  if (turns.length === 0) return ui.latency.replaceChildren(paragraph('No turns yet.', 'hint'));
  const legend = document.createElement('div');
  legend.className = 'legend';
  legend.setAttribute('aria-hidden', 'true');
  for (const metric of METRICS) {
    const swatch = document.createElement('span');
    swatch.className = metric.cls;
    swatch.textContent = metric.label;
    legend.append(swatch);
  }
  const labelWidth = 70;
  const width = 640;
  const barHeight = 11;
  const rowGap = 14;
  const groupHeight = METRICS.length * (barHeight + 2) + rowGap;
  const max = Math.max(100, ...turns.flatMap((turn) => METRICS.map((m) => turn[m.key] || 0)));
  const scale = (width - labelWidth - 70) / max;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${turns.length * groupHeight}`, width: '100%', role: 'img', 'aria-labelledby': 'latency-svg-title', 'aria-describedby': 'latency-help' });
  const summary = turns.map((turn) => `turn ${turn.turn}: ${METRICS.map((m) => `${m.label} ${turn[m.key] === undefined ? 'n/a' : `${Math.round(turn[m.key])} ms`}`).join(', ')}`).join('; ');
  chart.append(svg('title', { id: 'latency-svg-title' }, `Latency per turn: ${summary}`));
  turns.forEach((turn, row) => {
    const top = row * groupHeight;
    chart.append(svg('text', { x: 0, y: top + 2 * (barHeight + 2) }, `Turn ${turn.turn}`));
    METRICS.forEach((metric, i) => {
      const value = turn[metric.key];
      const y = top + i * (barHeight + 2);
      if (value === undefined) {
        chart.append(svg('text', { x: labelWidth, y: y + barHeight - 1, class: 'na' }, `${metric.label}: n/a`));
        return;
      }
      const bar = svg('rect', { x: labelWidth, y, width: Math.max(1, value * scale), height: barHeight, fill: metric.color, 'data-metric': metric.key });
      bar.append(svg('title', {}, `${metric.label}: ${Math.round(value)} ms`));
      chart.append(bar, svg('text', { x: labelWidth + Math.max(1, value * scale) + 4, y: y + barHeight - 1 }, `${Math.round(value)} ms`));
    });
  });
  ui.latency.replaceChildren(legend, chart);
}

// ---- the call --------------------------------------------------------------------------------

const STATUS_TEXT = {
  idle: 'Idle',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  'in-progress': 'In call',
  listening: 'Listening',
  speaking: 'Assistant speaking',
  ended: 'Call ended',
  disconnected: 'Idle',
};

function clientFor(apiKey) {
  if (state.client && state.clientKey === apiKey) return state.client;
  const client = new VapiClient({ apiKey });
  state.client = client;
  state.clientKey = apiKey;
  client.on('status', (event) => {
    record('status', event);
    const text = STATUS_TEXT[event.status] || event.status;
    ui.status.textContent = event.status === 'reconnecting' ? `${text} (attempt ${event.attempt})` : event.reason && event.status === 'ended' ? `${text}: ${event.reason}` : text;
    setTalking(client.active);
  });
  client.on('connected', (event) => {
    record('connected', event);
    ui.status.textContent = `Connected over ${event.transport === 'webrtc' ? 'WebRTC' : 'WebSocket'}`;
  });
  client.on('transcript', (event) => {
    record('transcript', event);
    renderConversation(state.log.transcript(event));
  });
  client.on('response', (event) => {
    record('response', event);
    renderConversation(state.log.response(event));
  });
  client.on('latency', (turn) => {
    record('latency', turn);
    state.turns.push(turn);
    renderLatency();
  });
  client.on('clear', (event) => record('clear', event));
  client.on('functionCall', (event) => record('functionCall', event));
  client.on('audioLevel', ({ bot, mic }) => {
    state.levels.push({ t: Math.round(performance.now()), bot, mic });
    if (state.levels.length > 1200) state.levels.splice(0, 200);
    state.maxBot = Math.max(state.maxBot, bot);
    state.maxMic = Math.max(state.maxMic, mic);
    // RMS of speech is small: show it on a square-root scale.
    ui.micLevel.value = Math.min(1, Math.sqrt(mic * 2));
    ui.botLevel.value = Math.min(1, Math.sqrt(bot * 2));
  });
  client.on('error', (event) => {
    record('error', event);
    showError(`${event.message}${event.fix ? ` (${event.fix})` : ''} [${event.code}]`);
  });
  client.on('disconnected', (event) => {
    record('disconnected', event);
    ui.micLevel.value = 0;
    ui.botLevel.value = 0;
    setTalking(false);
    // The call record closes as the call ends: list it.
    setTimeout(loadCalls, 600);
  });
  return client;
}

function setTalking(active) {
  ui.talk.textContent = active ? 'Stop' : 'Talk';
  ui.talk.setAttribute('aria-pressed', String(active));
  ui.say.disabled = !active;
  ui.sayButton.disabled = !active;
}

async function talk() {
  const client = state.client;
  if (client && client.active) return client.stop();
  const assistantId = ui.assistant.value;
  if (!state.apiKey) return showError('Enter an API key first.');
  if (!assistantId) return showError('Pick an assistant first.');
  showError('');
  localStorage.setItem(ASSISTANT_STORAGE, assistantId);
  renderConversation(state.log.clear());
  const processing = ui.processing.checked;
  const audio = processing ? {} : { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
  const transport = ui.transport.value || undefined;
  // Errors are shown by the client's error event.
  await clientFor(state.apiKey).start(assistantId, { audio, ...(transport ? { transport } : {}) }).catch(() => undefined);
}

// ---- wiring ----------------------------------------------------------------------------------

ui.key.value = state.apiKey;
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  state.apiKey = ui.key.value.trim();
  if (state.apiKey) localStorage.setItem(KEY_STORAGE, state.apiKey);
  else localStorage.removeItem(KEY_STORAGE);
  void loadAssistants();
  void loadCalls();
});
$('forget-key').addEventListener('click', () => {
  localStorage.removeItem(KEY_STORAGE);
  state.apiKey = '';
  ui.key.value = '';
  void state.client?.stop();
  void loadAssistants();
  ui.calls.replaceChildren();
  ui.callDetail.replaceChildren();
});
// A #key= URL pasted into this tab's address bar changes only the fragment: no reload.
window.addEventListener('hashchange', () => {
  if (!takeKeyFromFragment()) return;
  state.apiKey = localStorage.getItem(KEY_STORAGE) || '';
  ui.key.value = state.apiKey;
  void loadAssistants();
  void loadCalls();
});
$('refresh-assistants').addEventListener('click', () => void loadAssistants());
$('refresh-calls').addEventListener('click', () => void loadCalls());
ui.assistant.addEventListener('change', () => localStorage.setItem(ASSISTANT_STORAGE, ui.assistant.value));
ui.talk.addEventListener('click', () => void talk());
$('say-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.say.value.trim();
  if (!text || !state.client?.active) return;
  try {
    state.client.sendMessage(text);
    ui.say.value = '';
  } catch (error) {
    showError(error.message);
  }
});
window.addEventListener('pagehide', () => void state.client?.stop());

void loadAssistants();
void loadCalls();
state.ready = true;
