/** The errors a peer (on this thread or in a media worker) raises when it is used wrongly. */
import { badAudioError, VapiError, type AudioFrame } from '@vapi-cn/sdk-plugin-api';

export function stateError(message: string): VapiError {
  return new VapiError(message, {
    code: 'VAPI_ERR_WEBRTC_STATE',
    category: 'invalid_request',
    fix: 'create one WebRtcPeer per call and offer, and do not use it after close()',
  });
}

/** Bot audio must be one 20 ms frame at the peer's output rate (`frameSize` samples). */
export function checkBotFrame(frame: AudioFrame, outputRate: number, frameSize: number): void {
  if (frame.sampleRate !== outputRate) {
    throw badAudioError('VAPI_ERR_CODEC_FRAME_RATE', `this peer sends ${outputRate} Hz frames, got ${frame.sampleRate} Hz`, `resample bot audio to ${outputRate} Hz (the leg's outputSampleRate)`);
  }
  if (frame.samples.length !== frameSize) {
    throw badAudioError('VAPI_ERR_CODEC_FRAME_SIZE', `WebRTC sends 20 ms frames (${frameSize} samples), got ${frame.samples.length}`, 're-frame the audio into 20 ms frames (FrameChunker)');
  }
}
