import type { MediaRef } from '@dlb/protocol';
import { unavailable } from '../errors.ts';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { ingestAudio } from '../media/ingest.ts';
import { runTool } from '../media/run-tool.ts';
import type { MediaStore } from '../media/store.ts';
import type { MediaRecord, MediaRecords } from '../media-library/media-records.ts';

/** Spoken before a drill's message when the offline speech engine is available. */
export const DRILL_NOTICE_TEXT = '注意，注意！现在进行应急广播演练。这是演练，不是真实预警。';

/**
 * Two alternating tones, 880 and 660 Hz, half a second each for three seconds: the attention signal every
 * terminal holds in its cache. Unlike anything in the daily programmes, so villagers know what follows.
 */
const ATTENTION_EXPR = '0.8*sin(2*PI*if(lt(mod(t,1),0.5),880,660)*t)';
/** Three short high beeps: the drill notice when no speech engine is available. */
const DRILL_BEEPS_EXPR = '0.8*sin(2*PI*1200*t)*lt(mod(t,0.4),0.2)';

const notReady = () => unavailable('emergency_media_unavailable', '应急提示音尚未就绪，请稍后重试');

export const mediaRef = (m: Pick<MediaRecord, 'sha256' | 'bytes' | 'durationMs' | 'mime'>): MediaRef => ({
  sha256: m.sha256,
  path: `/t/media/${m.sha256}`,
  bytes: m.bytes,
  durationMs: m.durationMs,
  mime: m.mime,
});

export interface EmergencyMediaDeps {
  tools: FfmpegTools;
  store: MediaStore;
  records: MediaRecords;
  /** Speech for the drill notice (the offline engine); absent or failing, beeps are used instead. */
  speak?: (text: string) => Promise<MediaRecord>;
  log: (msg: string) => void;
}

/** The attention tone and the drill notice, made at start (content-addressed: the same audio each time). */
export class EmergencyMedia {
  private attentionRef: MediaRef | null = null;
  private drillRef: MediaRef | null = null;

  constructor(private readonly deps: EmergencyMediaDeps) {}

  /** The attention tone, needed by every target. */
  async prepare(): Promise<void> {
    this.attentionRef = mediaRef(await this.synth(ATTENTION_EXPR, 3, '提示音.mp3'));
  }

  private drillPromise: Promise<MediaRef> | null = null;

  /** The drill notice, made on first need (speech takes a moment, and most days have no drill). */
  ensureDrillNotice(): Promise<MediaRef> {
    this.drillPromise ??= (async () => {
      let drill: MediaRecord | null = null;
      if (this.deps.speak) {
        try {
          drill = await this.deps.speak(DRILL_NOTICE_TEXT);
        } catch (e) {
          this.deps.log(`演练提示语音合成失败，改用提示音: ${(e as Error).message}`);
        }
      }
      this.drillRef = mediaRef(drill ?? (await this.synth(DRILL_BEEPS_EXPR, 1.2, '演练提示音.mp3')));
      return this.drillRef;
    })().catch((e: Error) => {
      this.drillPromise = null;
      throw e;
    });
    return this.drillPromise;
  }

  get attention(): MediaRef {
    if (!this.attentionRef) throw notReady();
    return this.attentionRef;
  }

  get drillNotice(): MediaRef {
    if (!this.drillRef) throw notReady();
    return this.drillRef;
  }

  private async synth(expr: string, seconds: number, name: string): Promise<MediaRecord> {
    const { tools, store, records } = this.deps;
    const wav = store.tempPath('.wav');
    const r = await runTool(
      tools.ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `aevalsrc=exprs='${expr}':s=44100:d=${seconds}`,
        wav,
      ],
      { timeoutMs: 30_000 },
    );
    if (r.code !== 0) throw new Error(`ffmpeg 生成${name}失败: ${r.stderr.slice(-300)}`);
    const out = await ingestAudio(wav, { tools, store, maxDurationMs: 60_000 });
    return records.upsert(
      {
        sha256: out.sha256,
        bytes: out.bytes,
        durationMs: out.durationMs,
        mime: out.mime,
        originalName: name,
      },
      null,
    );
  }
}
