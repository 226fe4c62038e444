/** How the network options map onto werift's. */
import t from 'tap';
import { weriftConfig } from '../src/peer-config.js';

t.test('defaults: no ICE server (werift would query Google STUN), IPv4 only, Opus 111 alone', async (t) => {
  const config = weriftConfig({});
  t.same(config.iceServers, []);
  t.equal(config.iceUseIpv6, false);
  t.equal(config.iceUseTcp, false);
  t.equal(config.iceInterfaceAddresses, undefined, 'sockets on every interface');
  t.equal(config.iceAdditionalHostAddresses, undefined, 'candidates from the interfaces werift finds');
  t.equal(config.icePortRange, undefined);
  t.same(
    config.codecs!.audio!.map((c) => [c.mimeType, c.clockRate, c.channels, c.payloadType]),
    [['audio/opus', 48000, 2, 111]],
  );
  t.same(config.codecs!.video, []);
});

t.test('bindAddress: sockets bound there, and the one candidate', async (t) => {
  const config = weriftConfig({ bindAddress: '127.0.0.1', portRange: [40000, 40010] });
  t.same(config.iceInterfaceAddresses, { udp4: '127.0.0.1' });
  t.same(config.iceAdditionalHostAddresses, ['127.0.0.1']);
  t.equal(config.iceUseIpv4, false, 'no other interface gathered');
  t.same(config.icePortRange, [40000, 40010]);
});

t.test('announcedIp: announced in the candidate, sockets on the bind address (or all)', async (t) => {
  t.match(weriftConfig({ bindAddress: '10.0.0.5', announcedIp: '203.0.113.7' }), { iceInterfaceAddresses: { udp4: '10.0.0.5' }, iceAdditionalHostAddresses: ['203.0.113.7'], iceUseIpv4: false });
  const all = weriftConfig({ bindAddress: '0.0.0.0', announcedIp: '203.0.113.7' });
  t.equal(all.iceInterfaceAddresses, undefined, "'0.0.0.0' binds every interface");
  t.same(all.iceAdditionalHostAddresses, ['203.0.113.7']);
});

t.test('ICE servers pass through', async (t) => {
  const servers = [{ urls: 'stun:stun.example.com:3478' }, { urls: ['turn:turn.example.com:3478'], username: 'u', credential: 'c' }];
  t.same(weriftConfig({ iceServers: servers }).iceServers, servers);
});
