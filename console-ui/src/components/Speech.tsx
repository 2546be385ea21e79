import { useEffect, useState } from 'react';
import { ApiError, get, messageOf, post } from '../api/client.ts';
import { t } from '../i18n/index.ts';
import { Audio, ErrorBox } from './ui.tsx';

/** GET /api/tts/voices: the voices on offer and the languages an item's versions may be in. */
export interface Voice {
  id: string;
  name: string;
  language: string;
  gender?: string;
  provider?: string;
  available?: boolean;
}
export interface Catalogue {
  voices: Voice[];
  languages: Array<{ code: string; name: string }>;
  defaultOrder: string[];
}
export interface VersionChoice {
  language: string;
  voice: string;
}

/** A route the centre does not have yet answers 404 `not_found` (the speech service is being built). */
export const missingRoute = (e: unknown) =>
  e instanceof ApiError && e.status === 404 && e.code === 'not_found';
export const speechError = (e: unknown, what: string) =>
  missingRoute(e) ? t.errors.notBuiltYet(what) : messageOf(e);

export function useCatalogue(): { data: Catalogue | null; error: string | null } {
  const [data, setData] = useState<Catalogue | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<Catalogue>('/api/tts/voices')
      .then(setData)
      .catch((e) => setError(speechError(e, t.content.fromTextMissing)));
  }, []);
  return { data, error };
}

/** Voices for a language: those made for it first, then the rest that work. */
export function voicesFor(c: Catalogue, languageName: string): Voice[] {
  const usable = c.voices.filter((v) => v.available !== false);
  const own = usable.filter((v) => v.language.startsWith(languageName));
  return [...own, ...usable.filter((v) => !own.includes(v))];
}

export const voiceLabel = (v: Voice) => `${v.name} · ${v.language}${v.gender ? ` · ${v.gender}` : ''}`;

/** Synthesises `text` with a voice through POST /api/tts/preview and plays the rendered result. */
export function PreviewButton({ text, voice, label }: { text: string; voice: string; label?: string }) {
  const [busy, setBusy] = useState(false);
  const [sha, setSha] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ preview: { media: { sha256: string } } }>('/api/tts/preview', { text, voice });
      setSha(r.preview.media.sha256);
    } catch (e) {
      setError(speechError(e, t.content.preview));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="preview">
      <button
        type="button"
        className="btn"
        disabled={!text.trim() || !voice || busy}
        onClick={() => void run()}
      >
        {busy ? t.content.previewing : (label ?? t.content.preview)}
      </button>
      {sha && <Audio autoPlay src={`/api/media/${sha}/audio`} testId="tts-preview" />}
      <ErrorBox error={error} />
    </span>
  );
}

/** One row per language: include it, choose its voice, listen to it. */
export function VersionPicker({
  catalogue,
  text,
  value,
  onChange,
}: {
  catalogue: Catalogue;
  text: string;
  value: VersionChoice[];
  onChange: (v: VersionChoice[]) => void;
}) {
  return (
    <div className="versions" data-testid="version-picker">
      {catalogue.languages.map((lang) => {
        const chosen = value.find((v) => v.language === lang.code);
        const voices = voicesFor(catalogue, lang.name);
        return (
          <div key={lang.code} className={`version-row ${chosen ? 'on' : ''}`}>
            <label className="check version-lang">
              <input
                type="checkbox"
                checked={!!chosen}
                aria-label={lang.name}
                onChange={() =>
                  onChange(
                    chosen
                      ? value.filter((v) => v !== chosen)
                      : [...value, { language: lang.code, voice: voices[0]?.id ?? '' }],
                  )
                }
              />
              {lang.name}
            </label>
            {chosen && (
              <>
                <select
                  aria-label={`${lang.name} ${t.content.fields.voice}`}
                  value={chosen.voice}
                  onChange={(e) =>
                    onChange(value.map((v) => (v === chosen ? { ...v, voice: e.target.value } : v)))
                  }
                >
                  {voices.map((v) => (
                    <option key={v.id} value={v.id}>
                      {voiceLabel(v)}
                    </option>
                  ))}
                </select>
                <PreviewButton text={text} voice={chosen.voice} />
              </>
            )}
          </div>
        );
      })}
    </div>
  );
}
