/**
 * One checkpoint card: the Block Kit the Slack surface posts, with its buttons wired to the console's
 * decide API (the same decision handler as Slack). Modify asks for the changes, Reject for a reason,
 * Provide credential for the secret (a password field; it goes to the vault and is never shown again).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from './api';
import { BlockKit } from './block-kit';
import type { BlockElement, Card } from './types';

const OUTCOME_OF: Record<string, 'approved' | 'modified' | 'rejected'> = {
  'checkpoint.approve': 'approved',
  'checkpoint.modify': 'modified',
  'checkpoint.reject': 'rejected',
};

interface Pending {
  outcome: 'modified' | 'rejected' | 'credential';
  value: string;
}

const PROVIDE_CREDENTIAL = 'checkpoint.provide_credential';

const ASK = {
  rejected: { label: 'Reason for rejecting', name: 'reason', submit: 'Reject' },
  modified: { label: 'What should change', name: 'changes', submit: 'Send changes' },
  credential: { label: 'Credential value', name: 'credential', submit: 'Store and approve' },
} as const;

export function CheckpointCard({
  card,
  mayDecide,
  onDecided,
}: {
  card: Card;
  mayDecide: boolean;
  onDecided: () => void;
}): JSX.Element {
  const [asking, setAsking] = useState<Pending | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const { checkpoint } = card;

  async function decide(outcome: Pending['outcome'] | 'approved', value: string, note?: string) {
    const hash = value.split(':')[1] ?? card.actionHash ?? '';
    setBusy(true);
    setNotice(null);
    try {
      const id = encodeURIComponent(checkpoint.id);
      const result =
        outcome === 'credential'
          ? await api<{ message: string }>(`/api/console/checkpoints/${id}/credential`, {
              method: 'POST',
              body: { actionHash: hash, value: note ?? '' },
            })
          : await api<{ message: string }>(`/api/console/checkpoints/${id}/decide`, {
              method: 'POST',
              body: {
                outcome,
                actionHash: hash,
                ...(outcome === 'rejected' && note ? { reason: note } : {}),
                ...(outcome === 'modified' && note ? { changes: note } : {}),
              },
            });
      setNotice(result.message);
      setAsking(null);
      setText('');
      onDecided();
    } catch (error) {
      setNotice(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  function press(element: BlockElement) {
    if (element.action_id === PROVIDE_CREDENTIAL && element.value) {
      setAsking({ outcome: 'credential', value: element.value });
      setText('');
      return;
    }
    const outcome = OUTCOME_OF[element.action_id ?? ''];
    if (!outcome || !element.value) return;
    if (outcome === 'approved') void decide(outcome, element.value);
    else {
      setAsking({ outcome, value: element.value });
      setText('');
    }
  }

  return (
    <article
      class={`card card-${checkpoint.status}`}
      data-checkpoint-id={checkpoint.id}
      data-kind={checkpoint.kind}
      data-status={checkpoint.status}
    >
      {card.blocks ? (
        <BlockKit blocks={card.blocks} disabled={busy} {...(mayDecide ? { onButton: press } : {})} />
      ) : (
        <p>
          {checkpoint.kind}: {checkpoint.request.title} ({checkpoint.status})
        </p>
      )}
      {asking ? (
        <form
          class="card-ask"
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim())
              void decide(asking.outcome, asking.value, asking.outcome === 'credential' ? text : text.trim());
          }}
        >
          <label>
            {ASK[asking.outcome].label}
            {asking.outcome === 'credential' ? (
              <input
                type="password"
                autocomplete="off"
                name={ASK[asking.outcome].name}
                value={text}
                onInput={(event) => setText((event.target as HTMLInputElement).value)}
                required
              />
            ) : (
              <textarea
                name={ASK[asking.outcome].name}
                value={text}
                onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
                required
              />
            )}
          </label>
          <button type="submit" disabled={busy || !text.trim()}>
            {ASK[asking.outcome].submit}
          </button>
          <button type="button" onClick={() => setAsking(null)}>
            Cancel
          </button>
        </form>
      ) : null}
      {notice ? <p class="notice">{notice}</p> : null}
    </article>
  );
}
