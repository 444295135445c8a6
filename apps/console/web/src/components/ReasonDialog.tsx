import { FormEvent, useEffect, useId, useRef, useState } from 'react';

/**
 * A decision that needs its reason written down before it is taken: a modal dialog (the browser's own, so focus is
 * kept inside it and Escape cancels) with a required reason.
 */
export function ReasonDialog({
  title,
  explanation,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  explanation: string;
  confirmLabel: string;
  onConfirm(reason: string): Promise<void>;
  onCancel(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return;
    setBusy(true);
    try {
      await onConfirm(reason.trim());
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby={`${id}-title`} aria-describedby={`${id}-explanation`} onCancel={onCancel} className="reason-dialog">
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-explanation`}>{explanation}</p>
        <label htmlFor={`${id}-reason`}>Reason (required, recorded in the audit trail)</label>
        <textarea id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} rows={4} autoFocus />
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !reason.trim()}>
            {busy ? 'Sending…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
