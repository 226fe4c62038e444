/** Web Audio pieces: level meters, microphone capture to PCM16 frames, scheduled PCM playback. */
import { floatToPcm16, FrameChunker, pcm16ToFloat, rms, StreamResampler } from './pcm.js';

/** The RMS level (0..1) of whatever is connected to it, read on demand from an AnalyserNode. */
export class Meter {
  private readonly analyser: AnalyserNode;
  private readonly data: Float32Array<ArrayBuffer>;

  constructor(
    context: BaseAudioContext,
    private readonly source: AudioNode,
  ) {
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.data = new Float32Array(this.analyser.fftSize);
    source.connect(this.analyser);
  }

  level(): number {
    this.analyser.getFloatTimeDomainData(this.data);
    return rms(this.data);
  }

  close(): void {
    try {
      this.source.disconnect(this.analyser);
    } catch {
      // already disconnected
    }
  }
}

// Runs on the audio thread: posts the input in batches of `batch` samples (about 10 ms).
const CAPTURE_WORKLET = `
class VapiCnCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.batch = (options.processorOptions && options.processorOptions.batch) || 480;
    this.buffer = new Float32Array(this.batch);
    this.filled = 0;
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      let offset = 0;
      while (offset < channel.length) {
        const take = Math.min(this.batch - this.filled, channel.length - offset);
        this.buffer.set(channel.subarray(offset, offset + take), this.filled);
        this.filled += take;
        offset += take;
        if (this.filled === this.batch) {
          this.port.postMessage(this.buffer, [this.buffer.buffer]);
          this.buffer = new Float32Array(this.batch);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor('vapi-cn-capture', VapiCnCapture);
`;

const workletLoaded = new WeakMap<BaseAudioContext, Promise<void>>();

/**
 * The microphone as PCM16 frames of 20 ms at `rate`: an AudioWorklet where there is one
 * (ScriptProcessor otherwise), resampled from the context's rate.
 */
export class PcmCapture {
  private node: AudioNode | undefined;
  private readonly sink: GainNode;
  private stopped = false;

  private constructor(
    context: AudioContext,
    private readonly source: AudioNode,
  ) {
    // Keeps the capture node pulled by the graph without making a sound.
    this.sink = context.createGain();
    this.sink.gain.value = 0;
    this.sink.connect(context.destination);
  }

  static async start(context: AudioContext, source: AudioNode, rate: number, onFrame: (frame: Int16Array) => void): Promise<PcmCapture> {
    const capture = new PcmCapture(context, source);
    const resampler = new StreamResampler(context.sampleRate, rate);
    const chunker = new FrameChunker(rate / 50);
    const onSamples = (samples: Float32Array) => {
      if (!capture.stopped) chunker.push(floatToPcm16(resampler.process(samples)), onFrame);
    };
    if (typeof AudioWorkletNode === 'function' && context.audioWorklet) {
      let loaded = workletLoaded.get(context);
      if (!loaded) {
        const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: 'text/javascript' }));
        loaded = context.audioWorklet.addModule(url).finally(() => URL.revokeObjectURL(url));
        workletLoaded.set(context, loaded);
      }
      try {
        await loaded;
        const node = new AudioWorkletNode(context, 'vapi-cn-capture', {
          numberOfInputs: 1,
          numberOfOutputs: 1,
          channelCount: 1,
          channelCountMode: 'explicit',
          processorOptions: { batch: Math.round(context.sampleRate / 100) },
        });
        node.port.onmessage = (event: MessageEvent<Float32Array>) => onSamples(event.data);
        capture.attach(node);
        return capture;
      } catch {
        // No worklet (blocked by policy, old browser): the ScriptProcessor below still works.
      }
    }
    const processor = context.createScriptProcessor(2048, 1, 1);
    processor.onaudioprocess = (event) => onSamples(event.inputBuffer.getChannelData(0).slice());
    capture.attach(processor);
    return capture;
  }

  private attach(node: AudioNode): void {
    this.node = node;
    this.source.connect(node);
    node.connect(this.sink);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      if (this.node) this.source.disconnect(this.node);
      this.node?.disconnect();
      this.sink.disconnect();
    } catch {
      // the context may be closed already
    }
    if (this.node instanceof AudioWorkletNode) this.node.port.onmessage = null;
    else if (this.node instanceof ScriptProcessorNode) this.node.onaudioprocess = null;
  }
}

/**
 * Plays PCM16LE chunks back to back on the AudioContext's clock, with a small lead so network
 * jitter does not cause gaps; `clear()` drops everything scheduled (barge-in).
 */
export class PcmPlayer {
  /** Everything the player outputs goes through this node (meter it here). */
  readonly output: GainNode;
  private readonly sources = new Set<AudioBufferSourceNode>();
  private nextTime = 0;

  constructor(
    private readonly context: AudioContext,
    private readonly rate: number,
    private readonly leadSeconds = 0.08,
  ) {
    this.output = context.createGain();
    this.output.connect(context.destination);
  }

  enqueue(bytes: ArrayBuffer): void {
    const samples = pcm16ToFloat(bytes);
    if (samples.length === 0) return;
    const buffer = this.context.createBuffer(1, samples.length, this.rate);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.output);
    const now = this.context.currentTime;
    // After an underrun (or at the start) begin again a lead ahead of now.
    if (this.nextTime < now + 0.01) this.nextTime = now + this.leadSeconds;
    source.start(this.nextTime);
    this.nextTime += samples.length / this.rate;
    this.sources.add(source);
    source.onended = () => this.sources.delete(source);
  }

  /** Seconds of audio scheduled but not played yet. */
  get bufferedSeconds(): number {
    return Math.max(0, this.nextTime - this.context.currentTime);
  }

  clear(): void {
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        // not started or already stopped
      }
      source.disconnect();
    }
    this.sources.clear();
    this.nextTime = 0;
  }

  close(): void {
    this.clear();
    this.output.disconnect();
  }
}
