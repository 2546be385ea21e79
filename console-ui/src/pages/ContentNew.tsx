import { type FormEvent, useEffect, useState } from 'react';
import { post } from '../api/client.ts';
import type { ContentItem, Media } from '../api/types.ts';
import { useCan } from '../auth/session.tsx';
import { FileUpload, MicRecorder } from '../components/AudioSources.tsx';
import { ScopeSelect, scopesFor } from '../components/ScopeSelect.tsx';
import {
  speechError,
  useCatalogue,
  type VersionChoice,
  VersionPicker,
  voicesFor,
} from '../components/Speech.tsx';
import { useToast } from '../components/toast.tsx';
import { ErrorBox, Field, PageHeader, Panel } from '../components/ui.tsx';
import { useAreas } from '../data/areas.ts';
import { t } from '../i18n/index.ts';
import { Link, navigate, useLocation } from '../router.tsx';

type Mode = 'text' | 'upload' | 'record';

export function ContentNew() {
  const { query } = useLocation();
  const mode = (query.get('mode') as Mode) || 'text';
  const can = useCan();
  const areas = useAreas();
  const toast = useToast();
  const catalogue = useCatalogue();
  const [title, setTitle] = useState('');
  const [scope, setScope] = useState('');
  const [category, setCategory] = useState('');
  const [script, setScript] = useState('');
  const [versions, setVersions] = useState<VersionChoice[] | null>(null);
  const [media, setMedia] = useState<Media | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (areas && !scope) setScope(scopesFor(can, areas, 'content.write')[0] ?? '');
  }, [areas, scope, can]);
  useEffect(() => {
    const c = catalogue.data;
    if (!c || versions) return;
    setVersions(
      c.defaultOrder.flatMap((code) => {
        const lang = c.languages.find((l) => l.code === code);
        const voice = lang && voicesFor(c, lang.name)[0];
        return voice ? [{ language: code, voice: voice.id }] : [];
      }),
    );
  }, [catalogue.data, versions]);

  const save = async (submit: boolean) => {
    setError(null);
    setBusy(true);
    try {
      let item: ContentItem;
      if (mode === 'text') {
        const r = await post<{ item: ContentItem }>('/api/content/from-text', {
          title,
          scopeCode: scope,
          ...(category ? { category } : {}),
          text: script,
          versions: versions ?? [],
        });
        item = r.item;
      } else {
        const r = await post<{ item: ContentItem }>('/api/content', {
          title,
          scopeCode: scope,
          mediaSha256: media?.sha256 ?? null,
          ...(category ? { category } : {}),
          ...(script ? { script } : {}),
        });
        item = r.item;
      }
      if (submit) await post(`/api/content/${item.id}/submit`);
      toast.ok(submit ? t.content.submitted : t.content.created);
      navigate(`/content/${item.id}`);
    } catch (e) {
      setError(speechError(e, t.content.fromTextMissing));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save(true);
  };
  const tabs: Array<[Mode, string]> = [
    ['text', t.content.newFromText],
    ['upload', t.content.newFromUpload],
    ['record', t.content.newFromRecording],
  ];
  const ready =
    title.trim().length > 0 && scope && (mode === 'text' ? script.trim().length > 0 : media !== null);

  return (
    <>
      <PageHeader title={t.content.title} />
      <div className="tabs tabs-page">
        {tabs.map(([m, label]) => (
          <Link key={m} to={`/content/new?mode=${m}`} className={m === mode ? 'tab active' : 'tab'}>
            {label}
          </Link>
        ))}
      </div>
      <Panel>
        <form className="form form-wide" onSubmit={onSubmit}>
          <div className="grid-2">
            <Field label={t.content.fields.title}>
              <input
                name="title"
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                maxLength={200}
                required
              />
            </Field>
            <Field label={t.content.fields.scope}>
              {areas && (
                <ScopeSelect areas={areas} permission="content.write" value={scope} onChange={setScope} />
              )}
            </Field>
            <Field label={t.content.fields.category}>
              <input
                name="category"
                value={category}
                onChange={(e) => setCategory(e.target.value)}
                maxLength={40}
              />
            </Field>
          </div>
          <Field label={mode === 'text' ? t.content.fields.text : t.content.fields.script}>
            <textarea
              name="script"
              rows={mode === 'text' ? 7 : 4}
              value={script}
              onChange={(e) => setScript(e.target.value)}
            />
          </Field>
          {mode === 'text' && (
            <fieldset className="versions-box">
              <legend>{t.content.fields.versions}</legend>
              <ErrorBox error={catalogue.error} />
              {catalogue.data && versions && (
                <VersionPicker
                  catalogue={catalogue.data}
                  text={script}
                  value={versions}
                  onChange={setVersions}
                />
              )}
            </fieldset>
          )}
          {mode === 'upload' && <FileUpload onMedia={setMedia} />}
          {mode === 'record' && <MicRecorder onMedia={setMedia} />}
          <ErrorBox error={error} />
          <div className="row">
            <button type="button" className="btn" disabled={!ready || busy} onClick={() => void save(false)}>
              {t.content.create}
            </button>
            <button type="submit" className="btn btn-primary" disabled={!ready || busy}>
              {t.content.createAndSubmit}
            </button>
          </div>
        </form>
      </Panel>
    </>
  );
}
