import { createRequire } from 'node:module';
import type * as Sdk from 'microsoft-cognitiveservices-speech-sdk';
import { z } from 'zod';
import type { AppError } from '../../errors.ts';
import type { ProviderOptions, ProviderRequest, ProviderResult, SpeechProvider } from '../provider.ts';
import { ttsErrors } from '../speech-text.ts';
import { readWav } from '../wav-info.ts';
import { azureErrors, mapCancellation, SdkErrorCode } from './azure-errors.ts';
import { SocketGuard } from './socket-guard.ts';
import { buildSsml } from './ssml.ts';

type SdkModule = typeof Sdk;

const require = createRequire(import.meta.url);
const SDK_VERSION = (require('microsoft-cognitiveservices-speech-sdk/package.json') as { version: string })
  .version;

/** After a finished synthesis the SDK closes its WebSocket politely; a server that never answers gets this long. */
const CLOSE_GRACE_MS = 2000;
/** Peak below this (about -50 dBFS) is silence, not speech. */
const SILENCE_PEAK = 0.003;

const wsUrl = z.url({ protocol: /^wss?$/, error: '须为 ws:// 或 wss:// 地址' });

export const AzureConfigSchema = z
  .object({
    key: z.string().trim().min(1, { error: '请填写 Azure 语音服务密钥' }),
    /** e.g. eastasia, chinaeast2 (with `host` for the China cloud). */
    region: z
      .string()
      .trim()
      .regex(/^[a-z0-9]+$/, { error: '区域名称有误（例如 eastasia）' })
      .optional(),
    /** A full WebSocket endpoint, e.g. wss://eastasia.tts.speech.microsoft.com/cognitiveservices/websocket/v1. */
    endpoint: wsUrl.optional(),
    /** A host, e.g. wss://chinaeast2.tts.speech.azure.cn. */
    host: wsUrl.optional(),
    /** The provider's own limit per request: the SDK would wait forever on a silent connection. */
    timeoutMs: z.number().int().min(200).max(300_000).default(30_000),
    sampleRate: z.union([z.literal(16_000), z.literal(24_000)]).default(24_000),
  })
  .refine((c) => c.region || c.endpoint || c.host, { error: '请配置 Azure 语音服务的区域（region）或地址' });

export type AzureConfigInput = z.input<typeof AzureConfigSchema>;
export type AzureConfig = z.output<typeof AzureConfigSchema>;

let sdkPromise: Promise<SdkModule> | null = null;

/**
 * Loads the SDK on first use (~250 ms, and most installations never need it). On Node ≥ 22 the SDK would use
 * the global WebSocket, which the socket guard cannot see; it is told to use the `ws` package, as on Node 20.
 */
export function loadSpeechSdk(): Promise<SdkModule> {
  sdkPromise ??= import('microsoft-cognitiveservices-speech-sdk').then((sdk) => {
    try {
      const adapter =
        require('microsoft-cognitiveservices-speech-sdk/distrib/lib/src/common.browser/WebsocketMessageAdapter.js') as {
          WebsocketMessageAdapter: { forceNpmWebSocket: boolean };
        };
      adapter.WebsocketMessageAdapter.forceNpmWebSocket = true;
    } catch {
      // Another layout: on Node 20 there is no global WebSocket, and elsewhere the timeout still settles the call.
    }
    return sdk;
  });
  return sdkPromise;
}

/**
 * Azure Speech through the official SDK. One synthesizer per request, closed afterwards; its own timeout,
 * which cuts the connection (see SocketGuard) so nothing is left waiting; SDK cancellations mapped to AppErrors;
 * the audio is returned as a Buffer only when complete and audible — no file is ever written.
 */
export class AzureSpeechProvider implements SpeechProvider {
  readonly name = 'azure' as const;
  readonly version: string;
  readonly maxRequestChars = 1000;
  readonly config: AzureConfig;

  constructor(config: AzureConfigInput) {
    const parsed = AzureConfigSchema.safeParse(config);
    if (!parsed.success)
      throw new Error(`Azure 语音服务配置有误：${parsed.error.issues.map((i) => i.message).join('；')}`);
    this.config = parsed.data;
    this.version = `azure-sdk@${SDK_VERSION}/riff-${this.config.sampleRate}`;
  }

  async synthesise(req: ProviderRequest, opts: ProviderOptions): Promise<ProviderResult> {
    if (req.voice.provider !== 'azure') throw ttsErrors.unknownVoice(req.voice.id);
    const { ssml, notes } = buildSsml(req);
    const wav = await this.speakSsml(ssml, Math.min(opts.timeoutMs, this.config.timeoutMs), opts.signal);
    let info: ReturnType<typeof readWav>;
    try {
      info = readWav(wav);
    } catch (e) {
      throw azureErrors.badAudio((e as Error).message);
    }
    if (info.sampleRate !== this.config.sampleRate || info.channels !== 1)
      throw azureErrors.badAudio(`unexpected format ${info.sampleRate} Hz × ${info.channels}`);
    if (info.durationMs <= 0 || info.peak < SILENCE_PEAK) throw azureErrors.badAudio('no audible audio');
    return { wav, durationMs: info.durationMs, notes };
  }

  /** Speaks one SSML document; resolves with the RIFF WAV, or rejects with an AppError. */
  async speakSsml(ssml: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    if (signal?.aborted) throw azureErrors.aborted();
    let sdk: SdkModule;
    try {
      sdk = await loadSpeechSdk();
    } catch (e) {
      throw azureErrors.service(`speech SDK unavailable: ${(e as Error).message}`);
    }
    const key = this.config.key;
    const guard = new SocketGuard();
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      let synth: Sdk.SpeechSynthesizer | undefined;
      let speechConfig: Sdk.SpeechConfig | undefined;
      const finish = (error: AppError | null, wav?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // A hung handshake or a silent stream: cut the connection, or close() would wait on it forever.
        if (error) guard.destroy();
        release(synth, speechConfig, guard);
        if (error) reject(error);
        else resolve(wav!);
      };
      const timer = setTimeout(() => finish(azureErrors.timeout(timeoutMs)), timeoutMs);
      const onAbort = () => finish(azureErrors.aborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      guard.run(() => {
        try {
          speechConfig = this.speechConfig(sdk);
          synth = new sdk.SpeechSynthesizer(speechConfig, null);
          synth.speakSsmlAsync(
            ssml,
            (result) => {
              if (result.reason === sdk.ResultReason.SynthesizingAudioCompleted)
                finish(null, Buffer.from(result.audioData));
              else if (result.reason === sdk.ResultReason.Canceled) {
                const d = sdk.CancellationDetails.fromResult(result);
                finish(mapCancellation(d.ErrorCode, d.errorDetails ?? '', key));
              } else finish(azureErrors.service(`unexpected result: ${sdk.ResultReason[result.reason]}`));
            },
            (e) => finish(mapCancellation(SdkErrorCode.RuntimeError, String(e), key)),
          );
        } catch (e) {
          finish(mapCancellation(SdkErrorCode.RuntimeError, String((e as Error)?.message ?? e), key));
        }
      });
    });
  }

  private speechConfig(sdk: SdkModule): Sdk.SpeechConfig {
    const c = this.config;
    const cfg = c.endpoint
      ? sdk.SpeechConfig.fromEndpoint(new URL(c.endpoint), c.key)
      : c.host
        ? sdk.SpeechConfig.fromHost(new URL(c.host), c.key)
        : sdk.SpeechConfig.fromSubscription(c.key, c.region!);
    cfg.speechSynthesisOutputFormat =
      c.sampleRate === 16_000
        ? sdk.SpeechSynthesisOutputFormat.Riff16Khz16BitMonoPcm
        : sdk.SpeechSynthesisOutputFormat.Riff24Khz16BitMonoPcm;
    return cfg;
  }
}

/** Closes the synthesizer; whatever connection is still open after a grace period is cut. */
function release(
  synth: Sdk.SpeechSynthesizer | undefined,
  config: Sdk.SpeechConfig | undefined,
  guard: SocketGuard,
) {
  const cut = setTimeout(() => guard.destroy(), CLOSE_GRACE_MS);
  cut.unref();
  const done = () => {
    clearTimeout(cut);
    guard.destroy();
  };
  try {
    if (synth) synth.close(done, done);
    else done();
  } catch {
    done();
  }
  try {
    config?.close();
  } catch {
    // nothing to release
  }
}
