import { useState } from 'react';
import { post } from '../api/client.ts';
import type { CapAction, CapSeverity, CapSource, Terminal } from '../api/types.ts';
import type { AreaIndex } from '../data/areas.ts';
import { CAP_SEVERITIES, capRequestHeaders, DEFAULT_CAP_POLICY } from '../data/cap-sources.ts';
import { t } from '../i18n/index.ts';
import { DivisionPicker } from './AlertFields.tsx';
import { useAction } from './hooks.ts';
import { useToast } from './toast.tsx';
import { copyText, DialogActions, ErrorBox, Field, Modal } from './ui.tsx';

const T = t.capSources;

function CopyButton({ text, label }: { text: string; label: string }) {
  const toast = useToast();
  const copy = async () => {
    if (await copyText(text)) toast.ok(T.copied);
    else toast.error(T.copyFailed);
  };
  return (
    <button type="button" className="btn btn-small" onClick={() => void copy()}>
      {label}
    </button>
  );
}

/** The credential a source was given, shown this once, with the request its system must send. */
export function CredentialBox({ credential }: { credential: string }) {
  const request = capRequestHeaders(credential);
  return (
    <div className="credential-box" data-testid="cap-credential-box">
      <h3>{T.credentialTitle}</h3>
      <p className="credential-warning" role="alert">
        {T.credentialWarning}
      </p>
      <span className="field-label">{T.credential}</span>
      <div className="credential-line">
        <code className="mono credential" data-testid="cap-credential">
          {credential}
        </code>
        <CopyButton text={credential} label={T.copyCredential} />
      </div>
      <span className="field-label">{T.request}</span>
      <p className="muted small">{T.requestHint}</p>
      <pre className="mono credential-request" data-testid="cap-request">
        {request}
      </pre>
      <CopyButton text={request} label={T.copyRequest} />
    </div>
  );
}

/** One choice per CAP severity: sound at once, or wait for the duty officer's confirmation. */
function PolicyPicker({
  policy,
  onChange,
}: {
  policy: Record<CapSeverity, CapAction>;
  onChange: (next: Record<CapSeverity, CapAction>) => void;
}) {
  return (
    <table className="table table-compact" data-testid="cap-policy">
      <tbody>
        {CAP_SEVERITIES.map((s) => (
          <tr key={s}>
            <td>
              {T.severities[s]} <span className="muted small">{s}</span>
            </td>
            <td>
              <select
                name={`policy-${s}`}
                aria-label={T.severities[s]}
                value={policy[s]}
                onChange={(e) => onChange({ ...policy, [s]: e.target.value as CapAction })}
              >
                {(['sound', 'confirm'] as const).map((a) => (
                  <option key={a} value={a}>
                    {T.actions[a]}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Registers a department source (name, allowed areas, policy per severity); on success the dialog shows its
 * credential, which the centre never shows again.
 */
export function RegisterCapSource({
  areas,
  terminals,
  onClose,
  onCreated,
}: {
  areas: AreaIndex;
  terminals: Terminal[];
  onClose: () => void;
  onCreated: () => void;
}) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [codes, setCodes] = useState<Set<string>>(new Set());
  const [policy, setPolicy] = useState<Record<CapSeverity, CapAction>>({ ...DEFAULT_CAP_POLICY });
  const [credential, setCredential] = useState<string | null>(null);
  const save = useAction(async () => {
    const r = await post<{ source: CapSource; credential: string }>('/api/cap-sources', {
      name: name.trim(),
      allowedCodes: [...codes],
      policy,
    });
    setCredential(r.credential);
    toast.ok(T.created);
    onCreated();
  });
  if (credential)
    return (
      <Modal title={T.created} onClose={onClose}>
        <CredentialBox credential={credential} />
        <div className="row">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            {T.savedClose}
          </button>
        </div>
      </Modal>
    );
  return (
    <Modal title={T.register} onClose={onClose}>
      <div className="form" data-testid="cap-source-form">
        <Field label={T.name}>
          <input
            name="cap-source-name"
            value={name}
            placeholder={T.namePlaceholder}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
          />
        </Field>
        <span className="field-label">
          {T.areas}（{T.chosen(codes.size)}）
        </span>
        <p className="muted small">{T.areasHint}</p>
        <DivisionPicker
          areas={areas}
          terminals={terminals}
          permission="cap.manage"
          codes={codes}
          onCodes={setCodes}
        />
        <span className="field-label">{T.policy}</span>
        <p className="muted small">{T.policyHint}</p>
        <PolicyPicker policy={policy} onChange={setPolicy} />
        <ErrorBox error={save.error} />
        <DialogActions
          act={save}
          label={T.register}
          disabled={!name.trim() || codes.size === 0}
          onClose={onClose}
        />
      </div>
    </Modal>
  );
}
