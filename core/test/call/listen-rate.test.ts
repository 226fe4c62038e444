import t from 'tap';
import type { SttProvider, VadFactory } from '@vapi-cn/sdk-plugin-api';
import { chooseListenRate, sttStreamRate } from '../../src/call/listen-rate.js';

const vad = (sampleRates: number[]) => ({ name: 'v', sampleRates, create: () => undefined }) as unknown as VadFactory;
const stt = (sampleRates: number[]) => ({ name: 's', capabilities: { sampleRates } }) as unknown as SttProvider;

t.test('a call is heard at the leg rate when the VAD and the STT take it, else at 16 kHz', async (t) => {
  t.equal(chooseListenRate(8000, vad([8000, 16000]), stt([8000, 16000])), 8000, 'a phone line stays at 8 kHz');
  t.equal(chooseListenRate(8000, vad([8000, 16000]), stt([16000])), 16000, 'an STT without 8 kHz: 16 kHz');
  t.equal(chooseListenRate(48000, vad([8000, 16000, 32000, 48000]), stt([16000, 8000])), 16000, 'WebRTC audio: 16 kHz for the STT');
  t.equal(chooseListenRate(8000, vad([16000]), stt([8000])), 16000, 'a VAD without 8 kHz: 16 kHz');
  t.equal(chooseListenRate(8000, vad([8000, 16000]), undefined), 8000, 'no STT configured yet: the VAD decides');
});

t.test('an STT stream opens at the listening rate if its provider takes it', async (t) => {
  t.equal(sttStreamRate(8000, stt([8000, 16000])), 8000);
  t.equal(sttStreamRate(8000, stt([16000, 24000])), 16000, 'else 16 kHz');
  t.equal(sttStreamRate(16000, stt([24000])), 24000, "else the provider's first");
  t.equal(sttStreamRate(16000, stt([])), 16000, 'an empty list means any');
});
