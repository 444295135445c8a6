import { useEffect, useMemo, useRef, useState } from 'react';

import { ApiClient, ApiProblem } from '../api/api-client';
import { useApi } from '../api/use-api';
import { RefusalMessage } from '../common/RefusalMessage';
import { useRoles } from '../common/roles';
import { asProblem, useLoad } from '../common/use-load';
import { When } from '../common/When';
import { ReasonDialog } from '../components/ReasonDialog';
import { draftOf, PolicyDraft, policyOfDraft } from './policy-draft';
import {
  BANDS,
  ContainmentPolicy,
  cooldownWords,
  DEFAULT_SECOND_ANALYST_FROM,
  diffPolicies,
  PolicyChange,
  PolicyVersion,
  Rebased,
  rebaseEdit,
  TIERS,
} from './policy-model';

const VERSIONS_SHOWN = 50;

const POLICY_REFUSALS = {
  forbidden: 'Changing the policy is for admins: SOC analysts act on incidents, not on the policy.',
  codes: {
    INVALID_POLICY: (detail: string) => `Containment found the policy inconsistent: ${detail}.`,
    POLICY_VERSION_CONFLICT: 'Someone saved a newer version while you were editing: yours was not saved. What they changed is shown below.',
  },
};

/** Sends a policy change (PUT /policy): the API client has no PUT, and the rule is the same: a refusal is an ApiProblem. */
async function putPolicy(api: ApiClient, body: { policy: ContainmentPolicy; basedOnVersion: number; reason: string }): Promise<PolicyVersion> {
  const response = await fetch(api.url('containment', '/policy'), {
    method: 'PUT',
    headers: api.headers({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
    cache: 'no-store',
  });
  if (!response.ok) throw await ApiProblem.of(response);
  return (await response.json()) as PolicyVersion;
}

/**
 * Containment's policy: what it does with a score for each risk tier, its versions and what changed between two, and
 * (for admins) a new version, based on the one read: a change based on an older version is refused, shown, and can be
 * re-applied on the newer one.
 */
export function PolicyPage() {
  const api = useApi();
  const admin = useRoles().includes('admin');
  const [versions, reload] = useLoad(
    async () => (await api.get<{ versions: PolicyVersion[] }>('containment', `/policy/versions?limit=${VERSIONS_SHOWN}`)).versions,
    [api],
  );
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string>();

  if (versions.state === 'loading') return <p role="status">Reading the policy…</p>;
  if (versions.state === 'failed')
    return <RefusalMessage problem={versions.problem} context={{ forbidden: 'The policy is shown to SOC analysts and admins.' }} />;
  const [current] = versions.value;
  return (
    <section aria-labelledby="policy-title">
      <div className="page-head">
        <h1 id="policy-title">Containment policy</h1>
        {admin && !editing && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setSaved(undefined);
              setEditing(true);
            }}
          >
            Edit the policy
          </button>
        )}
      </div>
      <p className="lead">
        Version {current.version}, saved by {current.createdBy} <When iso={current.createdAt} />: {current.reason}
      </p>
      <div aria-live="polite">{saved && <p className="success">{saved}</p>}</div>
      {editing ? (
        <PolicyEditor
          base={current}
          onSaved={(version) => {
            setEditing(false);
            setSaved(`Saved as version ${version.version}. Containment applies it to the next scores.`);
            reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <PolicyView policy={current.policy} />
      )}
      <VersionsSection versions={versions.value} />
    </section>
  );
}

const BAND_TITLES: Record<(typeof BANDS)[number], string> = { alert: 'Alert from', contain: 'Contain from', deprovision: 'Deprovision from' };
const tierTitle = (tier: string) => `${tier[0].toUpperCase()}${tier.slice(1)} risk`;

function PolicyView({ policy }: { policy: ContainmentPolicy }) {
  return (
    <section aria-labelledby="in-force-title" className="panel">
      <h2 id="in-force-title">In force</h2>
      <table className="policy-table">
        <caption>The score from which containment takes each action, by the agent&apos;s risk tier (never: it leaves that to an analyst)</caption>
        <thead>
          <tr>
            <th scope="col">Risk tier</th>
            {BANDS.map((band) => (
              <th scope="col" key={band}>
                {BAND_TITLES[band]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {TIERS.map((tier) => (
            <tr key={tier}>
              <th scope="row">{tierTitle(tier)}</th>
              {BANDS.map((band) => (
                <td key={band}>{policy.tiers[tier][band] ?? 'never'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="facts">
        <dt>An agent the registry never announced</dt>
        <dd>{policy.shadowAgent === 'alert' ? 'alerted on, never acted on' : 'observed only'}</dd>
        <dt>An agent containment does not know</dt>
        <dd>treated as {policy.unknownTier} risk</dd>
        <dt>Cooldown after an incident</dt>
        <dd>{cooldownWords(policy.cooldownSeconds)}</dd>
        <dt>Releasing takes two analysts</dt>
        <dd>from score {policy.releaseNeedsSecondAnalystFrom ?? DEFAULT_SECOND_ANALYST_FROM}</dd>
      </dl>
    </section>
  );
}

interface Conflict {
  newer: PolicyVersion;
  theirs: PolicyChange[];
  rebased: Rebased;
}

function PolicyEditor({ base: initialBase, onSaved, onCancel }: { base: PolicyVersion; onSaved(version: PolicyVersion): void; onCancel(): void }) {
  const api = useApi();
  const [base, setBase] = useState(initialBase);
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(initialBase.policy));
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const [conflict, setConflict] = useState<Conflict>();
  const read = useMemo(() => policyOfDraft(draft), [draft]);
  const changes = useMemo(() => (read.problems.length ? [] : diffPolicies(base.policy, read.policy)), [base, read]);

  const setBand = (tier: (typeof TIERS)[number], band: (typeof BANDS)[number], value: string) =>
    setDraft((d) => ({ ...d, tiers: { ...d.tiers, [tier]: { ...d.tiers[tier], [band]: value } } }));

  const save = async (reason: string) => {
    setProblem(undefined);
    try {
      onSaved(await putPolicy(api, { policy: read.policy, basedOnVersion: base.version, reason }));
    } catch (error) {
      const refusal = asProblem(error);
      setProblem(refusal);
      if (refusal.code === 'POLICY_VERSION_CONFLICT') {
        // What the other admin saved, and this edit carried over onto it: nothing is lost, nothing is overwritten unseen.
        const newer = await api.get<PolicyVersion>('containment', '/policy').catch(() => undefined);
        if (newer) setConflict({ newer, theirs: diffPolicies(base.policy, newer.policy), rebased: rebaseEdit(base.policy, read.policy, newer.policy) });
      }
    } finally {
      setConfirming(false);
    }
  };

  const reapply = () => {
    if (!conflict) return;
    setBase(conflict.newer);
    setDraft(draftOf(conflict.rebased.policy));
    setConflict(undefined);
    setProblem(undefined);
  };

  return (
    <section aria-labelledby="edit-title" className="panel">
      <h2 id="edit-title">New version, based on version {base.version}</h2>
      <form
        className="policy-form"
        aria-labelledby="edit-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (!conflict && read.problems.length === 0 && changes.length > 0) setConfirming(true);
        }}
      >
        <table className="policy-table">
          <caption>The score from which containment takes each action (0 to 1; leave empty for never)</caption>
          <thead>
            <tr>
              <th scope="col">Risk tier</th>
              {BANDS.map((band) => (
                <th scope="col" key={band}>
                  {BAND_TITLES[band]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {TIERS.map((tier) => (
              <tr key={tier}>
                <th scope="row">{tierTitle(tier)}</th>
                {BANDS.map((band) => (
                  <td key={band}>
                    <input
                      inputMode="decimal"
                      aria-label={`${tierTitle(tier)}: ${BAND_TITLES[band].toLowerCase()} score`}
                      value={draft.tiers[tier][band]}
                      placeholder="never"
                      onChange={(e) => setBand(tier, band, e.target.value)}
                      size={6}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <div className="filters">
          <label>
            <span>An agent the registry never announced</span>
            <select value={draft.shadowAgent} onChange={(e) => setDraft({ ...draft, shadowAgent: e.target.value as PolicyDraft['shadowAgent'] })}>
              <option value="alert">Alert on it</option>
              <option value="observe">Observe only</option>
            </select>
          </label>
          <label>
            <span>Tier of an agent containment does not know</span>
            <select value={draft.unknownTier} onChange={(e) => setDraft({ ...draft, unknownTier: e.target.value as PolicyDraft['unknownTier'] })}>
              {TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {tierTitle(tier)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Cooldown after an incident (seconds)</span>
            <input inputMode="numeric" value={draft.cooldownSeconds} onChange={(e) => setDraft({ ...draft, cooldownSeconds: e.target.value })} />
          </label>
          <label>
            <span>Releasing takes two analysts from score</span>
            <input
              inputMode="decimal"
              value={draft.releaseNeedsSecondAnalystFrom}
              onChange={(e) => setDraft({ ...draft, releaseNeedsSecondAnalystFrom: e.target.value })}
            />
          </label>
        </div>
        <div aria-live="polite">
          {read.problems.length > 0 ? (
            <div className="problem" role="alert">
              <p>
                <strong>Not saved yet:</strong>
              </p>
              <ul>
                {read.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          ) : changes.length === 0 ? (
            <p className="muted">No change yet.</p>
          ) : (
            <ChangeTable title={`Your changes to version ${base.version}`} changes={changes} />
          )}
        </div>
        {/* While a newer version is shown, the way on is to re-apply on it, or discard. */}
        {!conflict && (
          <div className="decision-buttons">
            <button type="submit" className="primary" disabled={read.problems.length > 0 || changes.length === 0}>
              Save as version {base.version + 1}
            </button>
            <button type="button" onClick={onCancel}>
              Discard my changes
            </button>
          </div>
        )}
      </form>
      {problem && <RefusalMessage problem={problem} action="Save the policy" context={POLICY_REFUSALS} />}
      {conflict && (
        <section aria-labelledby="conflict-title" className="conflict">
          <h3 id="conflict-title">
            Version {conflict.newer.version} was saved meanwhile by {conflict.newer.createdBy} (<When iso={conflict.newer.createdAt} />)
          </h3>
          <p>Their reason: {conflict.newer.reason}</p>
          <ChangeTable title={`What changed from version ${base.version} to ${conflict.newer.version}`} changes={conflict.theirs} />
          {conflict.rebased.conflicts.length > 0 && (
            <div className="notice" role="note">
              <p>You both changed {conflict.rebased.conflicts.length === 1 ? 'this setting' : 'these settings'}; re-applying keeps yours:</p>
              <ul>
                {conflict.rebased.conflicts.map((c) => (
                  <li key={c.label}>
                    {c.label}: theirs {c.theirs}, yours {c.yours}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="decision-buttons">
            <button type="button" className="primary" onClick={reapply}>
              Re-apply my changes on version {conflict.newer.version}
            </button>
            <button type="button" onClick={onCancel}>
              Discard my changes
            </button>
          </div>
        </section>
      )}
      {confirming && (
        <ReasonDialog
          title={`Save version ${base.version + 1} of the policy`}
          explanation={`${changes.length} setting${changes.length === 1 ? '' : 's'} change: ${changes.map((c) => `${c.label} ${c.before} → ${c.after}`).join('; ')}. Containment applies it to the next scores.`}
          confirmLabel="Save the policy"
          onConfirm={save}
          onCancel={() => setConfirming(false)}
        />
      )}
    </section>
  );
}

function ChangeTable({ title, changes }: { title: string; changes: readonly PolicyChange[] }) {
  return (
    <table className="diff">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Setting</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.length === 0 ? (
          <tr>
            <td colSpan={3}>No setting differs.</td>
          </tr>
        ) : (
          changes.map((c) => (
            <tr key={c.path}>
              <th scope="row">{c.label}</th>
              <td className="diff-before">{c.before}</td>
              <td className="diff-after">{c.after}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function VersionsSection({ versions }: { versions: readonly PolicyVersion[] }) {
  const [to, setTo] = useState(versions[0].version);
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0].version);
  const comparison = useRef<HTMLDivElement>(null);
  const newest = versions[0].version;
  useEffect(() => {
    // A new version saved: compare it with the one before, as after the first load.
    setTo(newest);
    setFrom(versions[1]?.version ?? newest);
  }, [newest, versions]);
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const a = byVersion.get(from);
  const b = byVersion.get(to);
  const choose = (label: string, value: number, set: (v: number) => void) => (
    <label>
      <span>{label}</span>
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            Version {v.version}
          </option>
        ))}
      </select>
    </label>
  );
  const showChangesOf = (index: number) => {
    setFrom(versions[index + 1].version);
    setTo(versions[index].version);
    // The comparison is above the list: take the reader (and the keyboard focus) there.
    comparison.current?.focus();
    comparison.current?.scrollIntoView({ block: 'nearest' });
  };
  return (
    <section aria-labelledby="versions-title" className="panel">
      <h2 id="versions-title">Versions</h2>
      <div ref={comparison} tabIndex={-1} className="comparison" aria-labelledby="diff-title" role="group">
        <h3 id="diff-title">Compare two versions</h3>
        <form className="filters" aria-labelledby="diff-title" onSubmit={(e) => e.preventDefault()}>
          {choose('From', from, setFrom)}
          {choose('To', to, setTo)}
        </form>
        {a && b && <ChangeTable title={`From version ${a.version} to version ${b.version}`} changes={diffPolicies(a.policy, b.policy)} />}
      </div>
      <table>
        <caption className="visually-hidden">Every version of the policy, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Saved</th>
            <th scope="col">By</th>
            <th scope="col">Why</th>
            <th scope="col">
              <span className="visually-hidden">Compare</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v, i) => (
            <tr key={v.version}>
              <th scope="row">{v.version}</th>
              <td>
                <When iso={v.createdAt} />
              </td>
              <td>{v.createdBy}</td>
              <td>{v.reason}</td>
              <td>
                {versions[i + 1] && (
                  <button type="button" onClick={() => showChangesOf(i)}>
                    What changed in {v.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
