/**
 * mod_audio_stream never connects to us: the call cannot hear its caller, so it is hung up
 * (RECOVERY_ON_TIMER_EXPIRE) and recorded `media-timeout`, whether the module reports its failure
 * or simply never arrives.
 */
import net from 'node:net';
import t from 'tap';
import { closedPort } from '../../../core/test/closed-port.js';
import { ended, logLines, startWithFreeswitch } from './helpers.js';

t.test('the audio URL is a closed port: mod_audio_stream reports the failure, the call ends media-timeout', async (t) => {
  const port = await closedPort();
  const { fs, store, logs, transport } = await startWithFreeswitch(t, { audio: { url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 3000 } });
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitForState('hungup', 8000);
  t.equal(call.hangupCause, 'RECOVERY_ON_TIMER_EXPIRE');
  t.equal(call.audioStream?.connected, false);
  t.match(await ended(store, call.uuid), { endReason: 'media-timeout', assistantId: 'demo' });
  t.ok(logLines(logs, /mod_audio_stream failed for the call/).length > 0, 'the failure is logged');
  t.equal(transport.activeLegs, 0);
});

t.test('the audio URL accepts TCP but never answers the upgrade: ended after audio.connectTimeoutMs', async (t) => {
  // A listener that takes connections and says nothing, like a firewall that swallows the upgrade.
  const held = new Set<net.Socket>();
  const blackHole = net.createServer((socket) => void held.add(socket));
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of held) socket.destroy();
    return new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });
  const { port } = blackHole.address() as net.AddressInfo;
  const { fs, store, logs } = await startWithFreeswitch(t, { audio: { url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 1000 } });
  const call = fs.placeCall({ from: '13800138000', to: '4001234567', variables: { vapi_assistant_id: 'demo' }, dialplan: { type: 'park' } });
  await call.waitForState('answered');
  await call.waitForState('hungup', 8000);
  t.equal(call.hangupCause, 'RECOVERY_ON_TIMER_EXPIRE');
  t.ok(held.size > 0, 'mod_audio_stream did try to connect');
  t.match(await ended(store, call.uuid), { endReason: 'media-timeout' });
  t.match(logLines(logs, /mod_audio_stream did not connect/)[0], { timeoutMs: 1000 });
});
