import { FormEvent, useEffect, useId, useRef, useState } from 'react';

import { candidateWords, IdentitySignal, signalKindWords } from './signal-words';

/**
 * An admin names the owner a kept signal meant, with a reason: a modal dialog (the browser's own, so focus stays
 * inside and Escape cancels) offering the owners an ambiguous signal named, or any owner id.
 */
export function ResolveSignalDialog({
  signal,
  onConfirm,
  onCancel,
}: {
  signal: IdentitySignal;
  onConfirm(ownerId: string, reason: string): Promise<void>;
  onCancel(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState(signal.candidateOwnerIds[0] ?? '');
  const [other, setOther] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const ownerId = (choice === '' ? other : choice).trim();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ownerId || !reason.trim()) return;
    setBusy(true);
    try {
      await onConfirm(ownerId, reason.trim());
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby={`${id}-title`} aria-describedby={`${id}-explanation`} onCancel={onCancel} className="reason-dialog">
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>Resolve: {signalKindWords(signal.kind).toLowerCase()} of whom?</h2>
        <p id={`${id}-explanation`}>
          The signal named {signal.candidates.map(candidateWords).join(', ')}. The owner you name gets it now, as if it had matched them: a termination
          offboards their agents.
        </p>
        <fieldset>
          <legend>The owner it meant</legend>
          {signal.candidateOwnerIds.map((candidate) => (
            <label key={candidate} className="choice">
              <input type="radio" name={`${id}-owner`} value={candidate} checked={choice === candidate} onChange={() => setChoice(candidate)} />
              <span className="mono">{candidate}</span>
            </label>
          ))}
          <label className="choice">
            <input type="radio" name={`${id}-owner`} value="" checked={choice === ''} onChange={() => setChoice('')} />
            <span>Another owner, by id</span>
          </label>
          {choice === '' && (
            <>
              <label htmlFor={`${id}-other`}>Owner id</label>
              <input id={`${id}-other`} value={other} onChange={(e) => setOther(e.target.value)} required maxLength={256} autoComplete="off" />
            </>
          )}
        </fieldset>
        <label htmlFor={`${id}-reason`}>Reason (required, recorded in the audit trail)</label>
        <textarea id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1000} rows={3} />
        <div className="dialog-buttons">
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !ownerId || !reason.trim()}>
            {busy ? 'Sending…' : 'Apply to this owner'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
