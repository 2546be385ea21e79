import { AreaCodeSchema, Sha256Hex } from '@dlb/protocol';
import { z } from 'zod';
import { CONTENT_ID } from '../../content/content-service.ts';
import { badRequest, notFound } from '../../errors.ts';
import { DEFAULT_VERSION_ORDER, LANGUAGE_CODES, LANGUAGES } from '../../speech/languages.ts';
import { LexiconEntrySchema } from '../../tts/lexicon.ts';
import { VOICES } from '../../tts/voices.ts';
import { type AnyRoute, defineRoute } from '../route-registry.ts';
import { areaInScope } from '../scope.ts';
import type { Services } from '../services.ts';

const IdParams = z.object({ id: z.string().regex(CONTENT_ID, '内容条目编号格式应为 c + 16 位十六进制') });
const Language = z.enum(LANGUAGE_CODES, { message: `语种须为 ${LANGUAGE_CODES.join('、')} 之一` });
/** Checked against the catalogue by the speech service, which names the voices on offer. */
const Voice = z.string().trim().min(1, '请选择语音').max(80);
/** Up to 100 000 characters reach the speech service, which refuses what is too long with the count. */
const Text = z.string().max(100_000, '文字过长，最多 100000 字');
const Rate = z.number().int().min(-50).max(100).optional();
const Pitch = z.number().int().min(-50).max(50).optional();

const FromTextBody = z.strictObject({
  title: z.string().trim().min(1, '标题不能为空').max(200, '标题最多 200 字'),
  scopeCode: AreaCodeSchema,
  category: z.string().trim().min(1).max(40).nullable().optional(),
  text: Text,
  versions: z
    .array(z.strictObject({ language: Language, voice: Voice, text: Text.optional() }))
    .min(1, '至少选择一个版本')
    .max(LANGUAGE_CODES.length)
    .refine((vs) => new Set(vs.map((v) => v.language)).size === vs.length, '每个语种只能有一个版本'),
  rate: Rate,
  pitch: Pitch,
});

const VersionBody = z.union([
  z.strictObject({ language: Language, voice: Voice, text: Text, rate: Rate, pitch: Pitch }),
  z.strictObject({ language: Language, mediaSha256: Sha256Hex }),
]);

const TermParams = z.object({ term: z.string().min(1).max(20) });
const LexiconBody = z.strictObject({
  pinyin: z.string(),
  respell: z.string().optional(),
  note: z.string().trim().max(200).optional(),
});

export function speechRoutes(s: Services): AnyRoute[] {
  const sp = s.speech;
  return [
    defineRoute({
      method: 'get',
      path: '/api/tts/voices',
      summary: '可选的语音（离线引擎与 Azure 语音，含方言口音）和内容版本语种',
      auth: { permission: 'content.read' },
      handler: () => ({
        voices: VOICES.map((v) => ({
          ...v,
          available: v.provider === 'espeak-ng' || s.config.tts.azure !== null,
        })),
        languages: LANGUAGE_CODES.map((code) => ({ code, name: LANGUAGES[code] })),
        defaultOrder: DEFAULT_VERSION_ORDER,
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tts/preview',
      summary: '试听：把文字合成并加上开始曲、结束曲，按播出标准响度处理，返回可播放的音频',
      auth: { permission: 'content.write' },
      audit: {
        action: 'tts.preview',
        target: (_c, out) =>
          `media:${(out as { preview: { media: { sha256: string } } }).preview.media.sha256}`,
        detail: ({ body }) => ({ voice: body.voice, chars: [...body.text].length }),
      },
      status: 201,
      body: z.strictObject({ text: Text, voice: Voice, rate: Rate, pitch: Pitch }),
      handler: async ({ body, actor }) => ({ preview: await sp.preview(body, actor!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/from-text',
      summary: '由文字新建内容条目（草稿）：每个语种合成一个版本，按本地区播放顺序合成播出版音频',
      auth: { permission: 'content.write' },
      audit: {
        action: 'content.create',
        target: (_c, out) => `content:${(out as { item: { id: string } }).item.id}`,
        detail: ({ body }) => ({
          title: body.title,
          scopeCode: body.scopeCode,
          versions: body.versions.map((v) => `${v.language}:${v.voice}`),
        }),
      },
      status: 201,
      body: FromTextBody,
      handler: ({ body, actor }) => sp.createFromText(body, actor!),
    }),
    defineRoute({
      method: 'get',
      path: '/api/content/:id/versions',
      summary: '内容条目的各语种版本（音频、时长、审核状态）和播出版的合成情况（顺序、响度）',
      auth: { permission: 'content.read' },
      params: IdParams,
      handler: ({ params, actor }) => sp.versionsOf(params.id, actor!),
    }),
    defineRoute({
      method: 'post',
      path: '/api/content/:id/versions',
      summary:
        '添加或替换一个语种版本：由文字合成，或用已上传的录音（如桂柳话录音）；条目回到草稿，需重新审核',
      auth: { permission: 'content.write' },
      audit: {
        action: 'content.version',
        target: ({ params }) => `content:${params.id}`,
        detail: ({ body }) => ({
          language: body.language,
          ...('mediaSha256' in body ? { recording: body.mediaSha256 } : { voice: body.voice }),
        }),
      },
      params: IdParams,
      body: VersionBody,
      handler: ({ params, body, actor }) =>
        'mediaSha256' in body
          ? sp.attachRecording(params.id, body, actor!)
          : sp.addSpokenVersion(params.id, body, actor!),
    }),
    defineRoute({
      method: 'get',
      path: '/api/lexicon',
      summary: '全县读音词典（地名、多音字），所有语音引擎都按它朗读',
      auth: { permission: 'content.read' },
      handler: () => ({ entries: s.lexicon.list() }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/lexicon/:term',
      summary: '添加或修改词典词条：拼音用数字声调（如 大圩 da4 xu1），可给离线引擎一个同音字写法',
      auth: { permission: 'lexicon.write' },
      audit: { action: 'lexicon.put', target: ({ params }) => `lexicon:${params.term}` },
      params: TermParams,
      body: LexiconBody,
      handler: ({ params, body, actor }) => {
        const parsed = LexiconEntrySchema.safeParse({
          term: params.term,
          pinyin: body.pinyin,
          respell: body.respell,
        });
        if (!parsed.success)
          throw badRequest('bad_lexicon_entry', parsed.error.issues[0]?.message ?? '词条格式有误');
        const e = parsed.data;
        s.lexicon.put({ ...e, note: body.note ?? null }, actor!.id, s.now());
        return { entry: s.lexicon.get(e.term) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/lexicon/:term',
      summary: '删除词典词条',
      auth: { permission: 'lexicon.write' },
      audit: { action: 'lexicon.delete', target: ({ params }) => `lexicon:${params.term}` },
      params: TermParams,
      handler: ({ params }) => {
        if (!s.lexicon.remove(params.term)) throw notFound('unknown_term', `词典中没有“${params.term}”`);
        return { deleted: params.term };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/areas/:code/version-order',
      summary: '本地区播放哪些语种版本、按什么顺序（未设置时沿用上级或默认：普通话、桂柳话）',
      auth: { permission: 'area.read' },
      params: z.object({ code: AreaCodeSchema }),
      handler: ({ params, actor }) => {
        const code = areaInScope(s, actor!, params.code, 'area.read');
        return {
          code,
          own: s.versions.ownOrder(code),
          effective: s.versions.orderFor(s.areas.chainOf(code)),
        };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/areas/:code/version-order',
      summary: '设置本地区播放的语种版本及顺序（乡镇可设本乡镇的）',
      auth: { permission: 'area.settings' },
      audit: {
        action: 'area.version-order',
        target: ({ params }) => `area:${params.code}`,
        detail: ({ body }) => ({ languages: body.languages }),
      },
      params: z.object({ code: AreaCodeSchema }),
      body: z.strictObject({
        languages: z
          .array(Language)
          .min(1, '至少播放一个版本')
          .max(LANGUAGE_CODES.length)
          .refine((ls) => new Set(ls).size === ls.length, '语种不能重复'),
      }),
      handler: ({ params, body, actor }) => {
        const code = areaInScope(s, actor!, params.code, 'area.settings');
        s.versions.setOrder(code, body.languages, actor!.id, s.now());
        return { code, own: body.languages, effective: body.languages };
      },
    }),
  ];
}
