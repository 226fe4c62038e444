/**
 * From plugin options to a pocketsphinx_continuous command line, checking at setup what can be
 * checked without running it: the binary on PATH, the model files, the grammar file, and that
 * exactly one search (grammar, language model or keyphrase) is chosen.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VapiError } from '@vapi-cn/sdk-plugin-api';

/** Where Debian's pocketsphinx-en-us puts the US English model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
/** The apt packages that provide the binary and the model. */
export const APT_PACKAGES = 'pocketsphinx pocketsphinx-en-us';

/** The search options of the plugin, as in its config. */
export interface SearchOptions {
  binary: string;
  hmm: string;
  dict: string;
  grammar?: string;
  languageModel?: string;
  keyphrase?: string;
  keyphraseThreshold: number;
}

/** A ready-to-spawn decoder. */
export interface DecoderConfig {
  /** Absolute path of pocketsphinx_continuous. */
  binary: string;
  /** Its arguments, but for `-infile` (each decoder gets its own FIFO). */
  args: string[];
  /** A private directory for the decoders' FIFOs and an inline grammar; releaseDecoderConfig() removes it. */
  workDir: string;
  /** Which search it runs, for logs. */
  search: 'grammar' | 'languageModel' | 'keyphrase';
}

/**
 * Checks the options and builds the command line; throws an invalid_request VapiError naming the
 * fix. Creates the private work directory; grammar text given inline is written to a file there
 * (the decoder reads grammars from files only).
 */
export async function resolveDecoderConfig(options: SearchOptions, baseDir: string): Promise<DecoderConfig> {
  const chosen = (['grammar', 'languageModel', 'keyphrase'] as const).filter((key) => options[key] !== undefined);
  if (chosen.length > 1) {
    throw new VapiError(`pocketsphinx runs one search; got ${chosen.join(' and ')}`, {
      code: 'VAPI_ERR_STT_OPTIONS',
      category: 'invalid_request',
      fix: 'set only one of grammar, languageModel and keyphrase',
    });
  }
  const binary = findBinary(options.binary, baseDir);
  const hmm = path.resolve(baseDir, options.hmm);
  const dict = path.resolve(baseDir, options.dict);
  requireFile(path.join(hmm, 'mdef'), 'acoustic model (hmm) definition', 'options.hmm');
  requireFile(dict, 'pronunciation dictionary', 'options.dict');
  let search: DecoderConfig['search'];
  let searchArgs: string[] = [];
  let inlineGrammar: string | undefined;
  if (options.grammar !== undefined) {
    search = 'grammar';
    if (options.grammar.trimStart().startsWith('#JSGF')) {
      inlineGrammar = options.grammar;
    } else {
      const file = path.resolve(baseDir, options.grammar);
      if (!isReadableFile(file)) {
        throw new VapiError(`JSGF grammar file not found: ${file}`, {
          code: 'VAPI_ERR_STT_GRAMMAR',
          category: 'invalid_request',
          details: { grammar: options.grammar, resolved: file },
          fix: 'set options.grammar to a JSGF file (relative to the config file) or to the grammar text itself, starting with #JSGF V1.0;',
        });
      }
      searchArgs = ['-jsgf', file];
    }
  } else if (options.keyphrase !== undefined) {
    search = 'keyphrase';
    searchArgs = ['-keyphrase', options.keyphrase, '-kws_threshold', String(options.keyphraseThreshold)];
  } else {
    search = 'languageModel';
    const lm = path.resolve(baseDir, options.languageModel ?? path.join(DEBIAN_MODEL_DIR, 'en-us.lm.bin'));
    requireFile(lm, 'language model', 'options.languageModel');
    searchArgs = ['-lm', lm];
  }
  // Everything is checked: only now create files.
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'vapi-stt-pocketsphinx-'));
  if (inlineGrammar !== undefined) {
    const file = path.join(workDir, 'grammar.jsgf');
    await writeFile(file, inlineGrammar);
    searchArgs = ['-jsgf', file];
  }
  // -dither: synthesized or gated audio has runs of exact zeros, on which the features go wrong;
  // eSpeak's "what time do you open" failed the grammar every time without it, and passes with it.
  // -time: word timings give the transcripts' startMs, endMs and confidence.
  return { binary, args: ['-hmm', hmm, '-dict', dict, '-time', 'yes', '-dither', 'yes', ...searchArgs], workDir, search };
}

/** Removes what resolveDecoderConfig() wrote. Idempotent. */
export async function releaseDecoderConfig(config: DecoderConfig): Promise<void> {
  await rm(config.workDir, { recursive: true, force: true });
}

/** A name without '/' is looked up on PATH; a path is relative to the config file. */
function findBinary(binary: string, baseDir: string): string {
  const candidates = binary.includes('/')
    ? [path.resolve(baseDir, binary)]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, binary));
  const found = candidates.find((file) => hasFile(file, constants.X_OK));
  if (found) return found;
  throw new VapiError(`pocketsphinx binary '${binary}' not found${binary.includes('/') ? '' : ' on PATH'}`, {
    code: 'VAPI_ERR_STT_BINARY',
    category: 'invalid_request',
    details: { binary },
    fix: `install it (Debian/Ubuntu: apt-get install ${APT_PACKAGES}), or set options.binary to the path of pocketsphinx_continuous`,
  });
}

function requireFile(file: string, what: string, option: string): void {
  if (isReadableFile(file)) return;
  throw new VapiError(`pocketsphinx ${what} not found: ${file}`, {
    code: 'VAPI_ERR_STT_MODEL',
    category: 'invalid_request',
    details: { file },
    fix: `install the model (Debian/Ubuntu: apt-get install ${APT_PACKAGES}), or set ${option}`,
  });
}

function isReadableFile(file: string): boolean {
  return hasFile(file, constants.R_OK);
}

/** A regular file (or a link to one) with the given access. */
function hasFile(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
