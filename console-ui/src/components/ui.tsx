import { type ReactNode, useEffect, useRef } from 'react';
import { fmtDuration, t } from '../i18n/index.ts';
import { useAction } from './hooks.ts';

export function ErrorBox({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <div className="error-box" role="alert">
      {error}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  return <div className="empty">{children ?? t.common.empty}</div>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </header>
  );
}

export function Panel({
  title,
  children,
  actions,
  className,
}: {
  title?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section className={`panel ${className ?? ''}`}>
      {(title || actions) && (
        <div className="panel-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="panel-actions">{actions}</div>}
        </div>
      )}
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** A terminal's status as a coloured badge: offline beats everything, then fault, playing, normal. */
export function terminalStatusKey(x: { online: boolean; status: number; enabled?: boolean }): string {
  if (x.enabled === false) return 'disabled';
  if (!x.online) return 'offline';
  if (x.status === 3) return 'fault';
  if (x.status === 5) return 'playing';
  return 'online';
}

export function Badge({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`badge badge-${kind}`}>{children}</span>;
}

export function StatusBadge(x: { online: boolean; status: number; enabled?: boolean }) {
  const k = terminalStatusKey(x);
  return <Badge kind={k}>{t.status[k]}</Badge>;
}

export function ContentStateBadge({ state }: { state: string }) {
  return <Badge kind={`state-${state}`}>{t.content.states[state] ?? state}</Badge>;
}

/**
 * Every player of the console. Announcements are speech whose script is shown beside the player, so no
 * caption track is offered.
 */
export function Audio({ src, autoPlay, testId }: { src: string; autoPlay?: boolean; testId?: string }) {
  // biome-ignore lint/a11y/useMediaCaption: the script is shown next to the player
  return <audio controls preload="none" autoPlay={autoPlay} src={src} data-testid={testId} />;
}

/** The rendered audio of a media hash, streamed from the centre with the session cookie. */
export function AudioPreview({ sha256, durationMs }: { sha256: string | null; durationMs?: number | null }) {
  if (!sha256) return <span className="muted">{t.content.noAudio}</span>;
  return (
    <span className="audio-preview">
      <Audio src={`/api/media/${sha256}/audio`} />
      {durationMs ? <span className="muted">{fmtDuration(durationMs)}</span> : null}
    </span>
  );
}

/** A used/limit bar: green, amber above 85 %, red over the limit. */
export function FillBar({ used, limit, label }: { used: number; limit: number; label?: string }) {
  const pct = limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
  const kind = used > limit ? 'over' : used > limit * 0.85 ? 'near' : 'ok';
  return (
    <div className={`fill fill-${kind}`} title={label}>
      <div className="fill-bar" style={{ width: `${pct}%` }} />
      {label && <span className="fill-label">{label}</span>}
    </div>
  );
}

export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuenow={Math.round(fraction * 100)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className="progress-bar" style={{ width: `${Math.round(fraction * 100)}%` }} />
      <span className="progress-label">{label}</span>
    </div>
  );
}

/** A modal dialog (native <dialog>): Escape and the close button end it. */
export function Modal({
  title,
  children,
  onClose,
  danger,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  danger?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className={`modal ${danger ? 'modal-danger' : ''}`} onCancel={onClose}>
      <div className="modal-head">
        <h2>{title}</h2>
        <button type="button" className="btn-plain" onClick={onClose} aria-label={t.common.close}>
          ×
        </button>
      </div>
      <div className="modal-body">{children}</div>
    </dialog>
  );
}

/**
 * A danger dialog asking to confirm one action (a call to the centre); while it runs the button is disabled,
 * and the centre's refusal is shown above the buttons.
 */
export function ConfirmModal({
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const act = useAction(onConfirm);
  return (
    <Modal title={title} onClose={onClose} danger>
      <p>{message}</p>
      <ErrorBox error={act.error} />
      <DialogActions act={act} label={confirmLabel} danger onClose={onClose} />
    </Modal>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** Saves a JSON document as a file in the browser (agent config files). */
export function downloadJson(filename: string, data: unknown): void {
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text: the Clipboard API where the page may use it (https, localhost), else a selected textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission): try the old way below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  // Inside an open modal <dialog>, only its own content can be focused and selected.
  (document.querySelector('dialog[open]') ?? document.body).append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** A dialog's footer: its action (disabled while busy) and 取消. */
export function DialogActions({
  act,
  label,
  disabled = false,
  danger = false,
  onClose,
}: {
  act: { busy: boolean; run: () => Promise<unknown> };
  label: string;
  disabled?: boolean;
  danger?: boolean;
  onClose: () => void;
}) {
  return (
    <div className="row">
      <button
        type="button"
        className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
        disabled={disabled || act.busy}
        onClick={() => void act.run()}
      >
        {label}
      </button>
      <button type="button" className="btn" onClick={onClose}>
        {t.common.cancel}
      </button>
    </div>
  );
}
