/**
 * Background clips (ambience, hold music) read from disk at setup, so a bad file stops the server
 * at boot with a clear message instead of failing a call later.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { bytesToPcm16, readWav, VapiError } from '@vapi-cn/sdk-plugin-api';

/** A background as configured in the plugin's options. */
export interface BackgroundConfig {
  id: string;
  /** WAV, or raw PCM16 little-endian (.raw/.pcm); relative paths are against the config's folder. */
  file: string;
  /** Sample rate of a raw file (a WAV file's header gives its own). */
  sampleRate?: number;
  gainDb: number;
  loop: boolean;
  duckDb?: number;
}

/** A loaded background: mono PCM16 at the file's own rate. */
export interface Background {
  id: string;
  samples: Int16Array;
  sampleRate: number;
  gainDb: number;
  loop: boolean;
  duckDb?: number;
}

const RAW_EXTENSIONS = ['.raw', '.pcm'];

/** Reads and decodes one background; every failure is a VAPI_ERR_MIXER_BACKGROUND naming the file. */
export async function loadBackground(config: BackgroundConfig, baseDir: string): Promise<Background> {
  const file = path.resolve(baseDir, config.file);
  const fail = (problem: string, fix: string, cause?: unknown) =>
    new VapiError(`mixer background '${config.id}' (${file}): ${problem}`, {
      code: 'VAPI_ERR_MIXER_BACKGROUND',
      category: 'invalid_request',
      cause,
      details: { id: config.id, file },
      fix,
    });

  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw fail('file not found', `correct plugins.stage-mixer.options.backgrounds[].file; a relative path is resolved against the config file's folder (${baseDir})`, error);
    }
    throw fail(`cannot be read (${code ?? String(error)})`, 'check that the path is a readable file', error);
  }

  const extension = path.extname(file).toLowerCase();
  let samples: Int16Array;
  let sampleRate: number;
  if (extension === '.wav') {
    try {
      ({ samples, sampleRate } = readWav(bytes));
    } catch (error) {
      throw fail(`not a usable WAV file: ${(error as Error).message}`, 'export it again as a 16-bit PCM WAV file', error);
    }
  } else if (RAW_EXTENSIONS.includes(extension)) {
    if (config.sampleRate === undefined) throw fail('raw PCM has no header to give its sample rate', `add sampleRate (Hz) to background '${config.id}'`);
    if (bytes.byteLength % 2 !== 0) throw fail(`has an odd number of bytes (${bytes.byteLength}), so it is not 16-bit PCM`, 'give raw 16-bit little-endian mono PCM, or a WAV file');
    samples = bytesToPcm16(bytes);
    sampleRate = config.sampleRate;
  } else {
    throw fail(`unsupported file type '${extension || '(none)'}'`, 'use a .wav file, or raw PCM16 named .raw or .pcm');
  }
  if (samples.length === 0) throw fail('contains no audio', 'give a file with at least one sample');

  return {
    id: config.id,
    samples,
    sampleRate,
    gainDb: config.gainDb,
    loop: config.loop,
    duckDb: config.duckDb,
  };
}
