import { useState } from 'react';
import { get, post } from '../api/client.ts';
import type { ContentItem, Media } from '../api/types.ts';
import { fmtDuration, t } from '../i18n/index.ts';
import { FileUpload, MicRecorder } from './AudioSources.tsx';
import { useAction, useLoad } from './hooks.ts';
import { missingRoute, useCatalogue, voiceLabel, voicesFor } from './Speech.tsx';
import { useToast } from './toast.tsx';
import { AudioPreview, ErrorBox, Field, Panel } from './ui.tsx';

interface Version {
  id: string;
  language: string;
  source: 'tts' | 'recording';
  voice: string | null;
  engine: string | null;
  fallbackFrom: string | null;
  mediaSha256: string;
  durationMs: number;
  state: string;
}

/**
 * An item's language versions (Mandarin, 桂柳话, …): each spoken from text or recorded, and a form to add or
 * replace one. The centre mixes the versions into the item's broadcast audio in each area's order.
 */
export function VersionsPanel({
  item,
  writable,
  onChanged,
}: {
  item: ContentItem;
  writable: boolean;
  onChanged: () => void;
}) {
  const toast = useToast();
  const catalogue = useCatalogue();
  const data = useLoad(async () => {
    try {
      return await get<{ versions: Version[] }>(`/api/content/${item.id}/versions`);
    } catch (e) {
      if (missingRoute(e)) return null;
      throw e;
    }
  }, [item.id, item.revision]);
  const [language, setLanguage] = useState('guiliu');
  const [source, setSource] = useState<'tts' | 'upload' | 'record'>('tts');
  const [voice, setVoice] = useState('');
  const [text, setText] = useState(item.script ?? '');
  const [media, setMedia] = useState<Media | null>(null);
  const add = useAction(async () => {
    await post(
      `/api/content/${item.id}/versions`,
      source === 'tts' ? { language, voice, text } : { language, mediaSha256: media!.sha256 },
    );
    toast.ok(t.content.versionAdded);
    setMedia(null);
    await data.reload();
    onChanged();
  });
  if (data.data === null && !data.loading && !data.error) return null;
  const c = catalogue.data;
  const voiceName = (id: string | null) => c?.voices.find((x) => x.id === id)?.name ?? id ?? '';
  const langName = (code: string) => c?.languages.find((l) => l.code === code)?.name ?? code;
  const voices = c ? voicesFor(c, langName(language)) : [];
  const chosenVoice = voice && voices.some((v) => v.id === voice) ? voice : (voices[0]?.id ?? '');

  return (
    <Panel title={t.content.versionsTitle}>
      <ErrorBox error={data.error ?? catalogue.error} />
      <table className="table table-compact" data-testid="versions">
        <tbody>
          {(data.data?.versions ?? []).map((v) => (
            <tr key={v.id}>
              <td>{langName(v.language)}</td>
              <td>
                {v.source === 'tts'
                  ? `${t.content.sourceTts} · ${voiceName(v.voice)}`
                  : t.content.sourceRecording}
              </td>
              <td>{fmtDuration(v.durationMs)}</td>
              <td>
                <AudioPreview sha256={v.mediaSha256} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {writable && c && (
        <div className="version-add">
          <h3>{t.content.addVersion}</h3>
          <div className="row">
            <select
              aria-label={t.content.fields.version}
              value={language}
              onChange={(e) => setLanguage(e.target.value)}
            >
              {c.languages.map((l) => (
                <option key={l.code} value={l.code}>
                  {l.name}
                </option>
              ))}
            </select>
            <select
              aria-label={t.content.versionSource}
              value={source}
              onChange={(e) => setSource(e.target.value as typeof source)}
            >
              <option value="tts">{t.content.sourceTts}</option>
              <option value="upload">{t.content.newFromUpload}</option>
              <option value="record">{t.content.newFromRecording}</option>
            </select>
            {source === 'tts' && (
              <select
                aria-label={t.content.fields.voice}
                value={chosenVoice}
                onChange={(e) => setVoice(e.target.value)}
              >
                {voices.map((v) => (
                  <option key={v.id} value={v.id}>
                    {voiceLabel(v)}
                  </option>
                ))}
              </select>
            )}
          </div>
          {source === 'tts' ? (
            <Field label={t.content.versionText}>
              <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} />
            </Field>
          ) : source === 'upload' ? (
            <FileUpload onMedia={setMedia} />
          ) : (
            <MicRecorder onMedia={setMedia} />
          )}
          <ErrorBox error={add.error} />
          <button
            type="button"
            className="btn btn-primary"
            disabled={add.busy || (source === 'tts' ? !text.trim() || !chosenVoice : !media)}
            onClick={() => {
              setVoice(chosenVoice);
              void add.run();
            }}
          >
            {add.busy ? t.content.previewing : t.content.addVersion}
          </button>
        </div>
      )}
    </Panel>
  );
}
