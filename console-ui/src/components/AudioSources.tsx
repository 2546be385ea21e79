import { useEffect, useRef, useState } from 'react';
import { messageOf, uploadWithProgress } from '../api/client.ts';
import type { Media } from '../api/types.ts';
import { fmtDuration, t } from '../i18n/index.ts';
import { Audio, ErrorBox, ProgressBar } from './ui.tsx';

interface Uploading {
  fraction: number;
  processing: boolean;
}

/** Sends a file or a recording to POST /api/media with a progress bar; reports the rendered media. */
function useUpload(onMedia: (m: Media) => void) {
  const [state, setState] = useState<Uploading | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [media, setMedia] = useState<Media | null>(null);
  const start = async (blob: Blob, name: string) => {
    setError(null);
    setMedia(null);
    setState({ fraction: 0, processing: false });
    const up = uploadWithProgress<{ media: Media }>('/api/media', blob, name, (f) =>
      setState({ fraction: f, processing: f >= 1 }),
    );
    try {
      const r = await up.promise;
      setMedia(r.media);
      onMedia(r.media);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setState(null);
    }
  };
  const view = (
    <>
      {state && (
        <ProgressBar
          fraction={state.fraction}
          label={
            state.processing ? t.content.processing : t.content.uploading(Math.round(state.fraction * 100))
          }
        />
      )}
      <ErrorBox error={error} />
      {media && (
        <div className="ok-line" data-testid="media-ready">
          {t.content.uploaded(fmtDuration(media.durationMs))}
          <Audio src={`/api/media/${media.sha256}/audio`} />
        </div>
      )}
    </>
  );
  return { start, view, busy: state !== null };
}

export function FileUpload({ onMedia }: { onMedia: (m: Media) => void }) {
  const up = useUpload(onMedia);
  const [name, setName] = useState<string | null>(null);
  // The browser's own file button speaks the browser's language: a label of ours stands in for it.
  return (
    <div className="audio-source">
      <div className="row">
        <label className={`btn ${up.busy ? 'disabled' : ''}`}>
          <input
            type="file"
            className="visually-hidden"
            accept="audio/*,.mp3,.wav,.m4a,.aac,.ogg,.flac,.amr"
            data-testid="upload-file"
            disabled={up.busy}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              setName(f.name);
              void up.start(f, f.name);
            }}
          />
          {t.content.chooseFile}
        </label>
        <span className="muted">{name ?? t.content.noFile}</span>
      </div>
      {up.view}
    </div>
  );
}

/** Records from the browser's microphone (MediaRecorder), lets the user listen, then uploads. */
export function MicRecorder({ onMedia }: { onMedia: (m: Media) => void }) {
  const up = useUpload(onMedia);
  const [recording, setRecording] = useState(false);
  const [seconds, setSeconds] = useState(0);
  const [clip, setClip] = useState<{ blob: Blob; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rec = useRef<MediaRecorder | null>(null);
  const available = typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;

  useEffect(() => {
    if (!recording) return;
    const started = Date.now();
    const id = setInterval(() => setSeconds(Math.round((Date.now() - started) / 1000)), 500);
    return () => clearInterval(id);
  }, [recording]);
  useEffect(
    () => () => {
      for (const tr of rec.current?.stream.getTracks() ?? []) tr.stop();
    },
    [],
  );

  const begin = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const r = new MediaRecorder(stream);
      const chunks: Blob[] = [];
      r.ondataavailable = (e) => chunks.push(e.data);
      r.onstop = () => {
        for (const tr of stream.getTracks()) tr.stop();
        const blob = new Blob(chunks, { type: r.mimeType || 'audio/webm' });
        setClip({ blob, url: URL.createObjectURL(blob) });
      };
      rec.current = r;
      r.start();
      setSeconds(0);
      setRecording(true);
    } catch (e) {
      setError(`${t.content.recordUnavailable}（${messageOf(e)}）`);
    }
  };
  const end = () => {
    rec.current?.stop();
    setRecording(false);
  };

  if (!available) return <div className="notice">{t.content.recordUnavailable}</div>;
  const ext = clip?.blob.type.includes('ogg') ? 'ogg' : clip?.blob.type.includes('mp4') ? 'm4a' : 'webm';
  return (
    <div className="audio-source">
      <div className="row">
        {recording ? (
          <button type="button" className="btn btn-danger" onClick={end}>
            {t.content.stopRecord}
          </button>
        ) : (
          <button type="button" className="btn" onClick={() => void begin()} disabled={up.busy}>
            {t.content.record}
          </button>
        )}
        {recording && <span className="rec-dot">{t.content.recording(seconds)}</span>}
      </div>
      <ErrorBox error={error} />
      {clip && !recording && (
        <div className="row">
          <Audio src={clip.url} />
          <button
            type="button"
            className="btn btn-primary"
            disabled={up.busy}
            onClick={() => void up.start(clip.blob, `${t.content.recordingFile}.${ext}`)}
          >
            {t.content.newFromUpload}
          </button>
        </div>
      )}
      {up.view}
    </div>
  );
}
