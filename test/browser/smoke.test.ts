/**
 * The browser harness itself: headless Chromium in a loopback-only network namespace hears the
 * fake microphone (a 440 Hz WAV), plays an oscillator and an autoplaying <audio>, sends the mic
 * over a loopback WebRTC connection, and cannot reach any address off the machine.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { sineWave, writeWav } from '@vapi-cn/sdk-plugin-api';
import { CHROMIUM_FLAGS, launchBrowser, runInLoopbackNamespace } from './browser.js';

const ns = await runInLoopbackNamespace(import.meta.url);

const OFF_MACHINE = '10.255.255.1';

interface Meter {
  rms: number;
  maxRms: number;
  hz: number;
}

const PAGE = `<!doctype html>
<meta charset="utf-8"><title>browser harness smoke test</title>
<audio id="tone" src="/tone.wav" loop autoplay></audio>
<script>
window.levels = {};
function meter(name, ctx, node) {
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 4096;
  node.connect(analyser);
  const m = (window.levels[name] = { rms: 0, maxRms: 0, hz: 0 });
  const wave = new Float32Array(analyser.fftSize);
  const bins = new Float32Array(analyser.frequencyBinCount);
  setInterval(() => {
    analyser.getFloatTimeDomainData(wave);
    let sum = 0;
    for (const v of wave) sum += v * v;
    m.rms = Math.sqrt(sum / wave.length);
    m.maxRms = Math.max(m.maxRms, m.rms);
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
    m.hz = (best * ctx.sampleRate) / analyser.fftSize;
  }, 50);
}
(async () => {
  try {
    const ctx = new AudioContext();
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { autoGainControl: false, echoCancellation: false, noiseSuppression: false },
    });
    window.mic = stream;
    window.ctx = ctx;
    meter('mic', ctx, ctx.createMediaStreamSource(stream));
    const osc = ctx.createOscillator();
    osc.frequency.value = 1000;
    const gain = ctx.createGain();
    gain.gain.value = 0.25;
    osc.connect(gain).connect(ctx.destination);
    meter('oscillator', ctx, gain);
    osc.start();
    const element = document.getElementById('tone');
    const source = ctx.createMediaElementSource(element);
    source.connect(ctx.destination);
    meter('element', ctx, source);
    await element.play();
    window.ready = { state: ctx.state, sampleRate: ctx.sampleRate, mic: stream.getAudioTracks()[0].label };
  } catch (e) {
    window.ready = { error: String(e) };
  }
})();
// Two peer connections in the page, the mic sent from one to the other over 127.0.0.1.
window.loopbackCall = async () => {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  const candidates = [];
  a.onicecandidate = (e) => e.candidate && (candidates.push(e.candidate.address), b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const track = new Promise((resolve) => (b.ontrack = (e) => resolve(e.track)));
  a.addTrack(window.mic.getAudioTracks()[0], window.mic);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  const remote = new MediaStream([await track]);
  // Chromium feeds a remote track to WebAudio only while a media element plays it.
  const sink = new Audio();
  sink.srcObject = remote;
  sink.muted = true;
  await sink.play();
  meter('remote', window.ctx, window.ctx.createMediaStreamSource(remote));
  for (let i = 0; i < 100 && a.connectionState !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
  return { state: a.connectionState, candidates };
};
window.probe = async (url) => {
  try {
    await fetch(url, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(10000) });
    return 'reached';
  } catch (e) {
    return e.name + ': ' + e.message;
  }
};
</script>`;

t.test('headless Chromium in a loopback-only namespace', { skip: ns.skip }, async (t) => {
  const began = Date.now();
  const tone = writeWav(sineWave(880, 48000, 1000, 0.5), 48000);
  const server = http.createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (req.url === '/tone.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(tone);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;

  // From this process: nothing off the machine is routable.
  const direct = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: OFF_MACHINE, port: 80, timeout: 10_000 });
    socket.on('connect', () => (socket.destroy(), resolve('connected')));
    socket.on('timeout', () => (socket.destroy(), resolve('timeout')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  t.equal(direct, 'ENETUNREACH', `node cannot reach ${OFF_MACHINE}: no route (only lo)`);

  const browser = await launchBrowser({ fakeMicWav: writeWav(sineWave(440, 48000, 2000, 0.5), 48000) });
  t.teardown(() => browser.close());
  t.teardown(() => {
    if (t.passing()) return;
    t.comment(`chromium: ${browser.argv.join(' ')}`);
    t.comment(`page log:\n${browser.logs.join('\n')}`);
  });

  const missingFlags = CHROMIUM_FLAGS.filter((f) => !browser.argv.includes(f));
  t.same(missingFlags, [], 'every flag from the toolchain notes is on the command line');
  const disabled = browser.argv.filter((a) => a.startsWith('--disable-features='));
  t.equal(disabled.length, 1, 'one --disable-features flag (Chromium keeps only the last)');
  const features = (disabled[0] ?? '').slice('--disable-features='.length).split(',');
  t.ok(features.includes('WebRtcHideLocalIpsWithMdns'), 'mDNS candidate hiding is disabled');
  t.ok(features.includes('HttpsUpgrades'), "Playwright's disabled features are kept");
  t.ok(browser.argv.some((a) => a.startsWith('--use-file-for-fake-audio-capture=')), 'the WAV is the microphone');
  t.ok(browser.userDataDir && existsSync(browser.userDataDir), `fresh profile ${browser.userDataDir}`);

  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction('window.ready', null, { timeout: 15_000 });
  const ready = (await page.evaluate('window.ready')) as { error?: string; state?: string };
  t.notOk(ready.error, `audio set up (${JSON.stringify(ready)})`);
  t.equal(ready.state, 'running', 'the AudioContext runs without a user gesture');

  // Wait until every meter has heard its tone, then assert on what was measured.
  const heard = "['mic', 'oscillator', 'element'].every((n) => window.levels[n] && window.levels[n].maxRms > 0.05)";
  await page.waitForFunction(heard, null, { timeout: 10_000 }).catch(() => {});
  const levels = (await page.evaluate('window.levels')) as Record<string, Meter>;
  const expect: Array<[string, number, number]> = [
    ['mic', 440, 0.05], // WAV amplitude 0.5: RMS about 0.35
    ['oscillator', 1000, 0.05], // gain 0.25: RMS about 0.18
    ['element', 880, 0.05], // WAV amplitude 0.5: RMS about 0.35
  ];
  for (const [name, hz, floor] of expect) {
    const m = levels[name];
    t.ok(m && m.maxRms > floor, `${name}: RMS ${m?.maxRms.toFixed(3)} above ${floor}`);
    t.ok(m && Math.abs(m.hz - hz) < 40, `${name}: peak at ${m?.hz.toFixed(0)} Hz, expected ${hz} Hz`);
  }

  // WebRTC between two peer connections: host candidates on 127.0.0.1 (not mDNS), audio arrives.
  const call = (await page.evaluate('window.loopbackCall()')) as { state: string; candidates: string[] };
  t.equal(call.state, 'connected', 'a peer connection connects over loopback');
  t.ok(call.candidates.includes('127.0.0.1'), `host candidate on 127.0.0.1 (${call.candidates.join(', ')})`);
  t.notOk(call.candidates.some((c) => c.endsWith('.local')), 'no mDNS candidates');
  await page.waitForFunction('window.levels.remote && window.levels.remote.maxRms > 0.05', null, { timeout: 10_000 }).catch(() => {});
  const remote = ((await page.evaluate('window.levels.remote')) ?? { rms: 0, maxRms: 0, hz: 0 }) as Meter;
  t.ok(remote.maxRms > 0.05, `remote track: RMS ${remote.maxRms.toFixed(3)} above 0.05`);
  t.ok(Math.abs(remote.hz - 440) < 40, `remote track: peak at ${remote.hz.toFixed(0)} Hz, expected 440 Hz`);

  // From the page: the same address fails with a network error, not a timeout.
  const failed = page.waitForEvent('requestfailed', { timeout: 12_000 }).catch(() => undefined);
  const probe = (await page.evaluate(`window.probe('http://${OFF_MACHINE}/')`)) as string;
  t.match(probe, /^TypeError/, `fetch http://${OFF_MACHINE}/ fails: ${probe}`);
  const failure = (await failed)?.failure()?.errorText ?? '(no requestfailed event)';
  t.match(failure, /ADDRESS_UNREACHABLE|NETWORK_UNREACHABLE|INTERNET_DISCONNECTED|NETWORK_ACCESS_DENIED/, `network error: ${failure}`);

  const profile = browser.userDataDir;
  await browser.close();
  t.notOk(existsSync(profile), 'the profile is removed on close');
  t.comment(`smoke test took ${Date.now() - began} ms`);
});
