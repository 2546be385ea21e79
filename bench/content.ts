/**
 * Content benchmark: a 1,000-character county bulletin to broadcast-ready audio with the offline engine
 * (normalise, espeak-ng in its worker, chimes, loudness render to the terminal MP3), cold and cached; and the
 * render's ffmpeg time per minute of audio. Baseline from the same run: one plain ffmpeg decode + MP3 encode
 * of the same audio (the least any pipeline must spend), as a ratio.
 *
 *   npm run bench:content [-- --rounds 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveFfmpegTools } from '../server/src/media/ffmpeg-path.ts';
import { renderBroadcastReady } from '../server/src/render/broadcast-render.ts';
import { ensureDefaultChimes } from '../server/src/render/chime.ts';
import { benchRender } from '../server/src/render/render-bench.ts';
import { SpeechService } from '../server/src/tts/speech-service.ts';
import { parseArgs } from './bench-util.ts';

const args = parseArgs();
const ROUNDS = Number(args.get('rounds') ?? 3);
const tools = resolveFfmpegTools();

/** A bulletin of the kind a county media centre reads every day: dates, amounts, hotlines, units, percentages. */
function bulletin(round: number): string {
  const parts = [
    `灵川县融媒体中心第${round}期广播通知。`,
    '一、关于2026年城乡居民医疗保险缴费的通知：个人缴费标准为每人每年400元，缴费截止日期为2026年12月31日，',
    '可通过村委会、银行网点或手机缴费，咨询电话0773-6812345，医保服务热线12393。',
    '二、天气情况：预计11月25日至27日全县有小到中雨，气温12到18℃，局部地区降雨量可达30毫米，',
    '请各村做好秋冬种田间排水，防止渍害。三、森林防火：进入秋冬季节，森林火险等级为4级，',
    '严禁野外用火，发现火情请立即拨打森林火警电话12119。四、农业补贴：耕地地力保护补贴每亩105.5元，',
    '已于11月15日发放到户，补贴面积以2026年确权面积为准，如有疑问请在12月10日前到乡镇农业服务中心咨询。',
    '五、疫苗接种：65周岁以上老人可免费接种流感疫苗，接种时间为每周一、三、五上午8:30至11:30，',
    '接种率已达62.5%，请尚未接种的老人带好身份证前往乡镇卫生院。六、交通安全：冬季雾天较多，',
    '驾驶摩托车请戴好头盔，车速不超过40公里每小时，切勿酒后驾驶。',
    '七、防范电信诈骗：凡是要求转账到安全账户的，都是诈骗，遇到可疑电话请拨打96110咨询。',
    '八、就业信息：县人社局12月5日上午9时在县城广场举办招聘会，提供岗位1,200个，月薪3000元至6500元。',
    '以上通知请各位村民相互转告。',
  ];
  let text = parts.join('');
  while ([...text].length < 1000) text += `请大家相互转告，第${round}遍。`;
  return [...text].slice(0, 1000).join('');
}

async function toBroadcast(
  svc: SpeechService,
  text: string,
  dir: string,
  chimes: { open: string; close: string },
) {
  const t0 = performance.now();
  const spoken = await svc.synthesise({ text, voice: 'espeak:cmn' });
  const t1 = performance.now();
  const wav = path.join(dir, `speech-${Date.now()}.wav`);
  writeFileSync(wav, spoken.wav);
  const out = await renderBroadcastReady(
    { parts: [wav], chimes },
    { tools, tempDir: dir, timeoutMs: 600_000 },
  );
  const t2 = performance.now();
  rmSync(out.path, { force: true });
  return { synthMs: t1 - t0, renderMs: t2 - t1, totalMs: t2 - t0, audioMs: out.durationMs, spoken, out, wav };
}

function plainEncodeMs(wav: string, dir: string): number {
  const out = path.join(dir, 'plain.mp3');
  const t0 = performance.now();
  execFileSync(tools.ffmpeg, [
    '-v',
    'error',
    '-y',
    '-i',
    wav,
    '-ac',
    '1',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '64k',
    out,
  ]);
  const ms = performance.now() - t0;
  rmSync(out, { force: true });
  return ms;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dlb-bench-content-'));
  try {
    const chimes = await ensureDefaultChimes(path.join(dir, 'chimes'), tools);
    console.log(
      `content: 1,000-character bulletin → broadcast-ready MP3 (espeak-ng cmn, chimes, -16 LUFS), ${ROUNDS} rounds`,
    );
    for (let round = 1; round <= ROUNDS; round++) {
      // A new service and cache directory: cold means nothing cached and the WASM engine not yet loaded.
      const svc = new SpeechService({
        config: { fallback: true },
        cacheDir: path.join(dir, `cache-${round}`),
      });
      try {
        const text = bulletin(round);
        const cold = await toBroadcast(svc, text, dir, chimes);
        const warm = await toBroadcast(svc, text, dir, chimes);
        const base = plainEncodeMs(cold.wav, dir);
        const min = cold.audioMs / 60_000;
        console.log(
          `  round ${round}: ${[...text].length} chars, ${cold.spoken.sentences} sentences, ${(cold.audioMs / 1000).toFixed(1)} s of audio, ` +
            `${cold.out.loudness.integrated.toFixed(1)} LUFS / ${cold.out.loudness.truePeak.toFixed(1)} dBTP (${cold.out.passes} pass)`,
        );
        console.log(
          `    cold:   ${(cold.totalMs / 1000).toFixed(2)} s = synthesis ${(cold.synthMs / 1000).toFixed(2)} s + render ${(cold.renderMs / 1000).toFixed(2)} s`,
        );
        console.log(
          `    cached: ${(warm.totalMs / 1000).toFixed(2)} s = synthesis ${(warm.synthMs / 1000).toFixed(2)} s (cache hit: ${warm.spoken.cached}) + render ${(warm.renderMs / 1000).toFixed(2)} s`,
        );
        console.log(
          `    render ${(cold.renderMs / min / 1000).toFixed(2)} s per minute of audio; baseline plain decode+encode ${(base / min / 1000).toFixed(2)} s per minute; ratio ${(cold.renderMs / base).toFixed(1)}x`,
        );
      } finally {
        await svc.close();
      }
    }
    const r = await benchRender({ minutes: 1, tools, tempDir: dir });
    console.log(
      `  render of 1 min of speech-like audio in 2 parts with chimes: ${(r.msPerAudioMinute / 1000).toFixed(2)} s per minute of audio`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
