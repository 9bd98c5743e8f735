/** The ops channel: every checkpoint card, pending first, as the operators' Slack channel shows them. */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useResource } from './api';
import { CheckpointCard } from './checkpoint-card';
import type { Card, Me } from './types';

export function OpsView({ me, tick }: { me: Me; tick: number }): JSX.Element {
  const [local, setLocal] = useState(0);
  const { data, error } = useResource<{ cards: Card[] }>('/api/console/checkpoints', tick + local);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  const pending = data.cards.filter((card) => card.checkpoint.status === 'pending');
  const decided = data.cards.filter((card) => card.checkpoint.status !== 'pending');
  const refresh = () => setLocal((n) => n + 1);
  return (
    <section class="ops">
      <h2>Pending ({pending.length})</h2>
      <div class="cards" id="pending-cards">
        {pending.length === 0 ? <p class="muted">Nothing waits for a TO.</p> : null}
        {pending.map((card) => (
          <CheckpointCard
            key={card.checkpoint.id}
            card={card}
            mayDecide={me.may.decide}
            onDecided={refresh}
          />
        ))}
      </div>
      <h2>Decided ({decided.length})</h2>
      <div class="cards" id="decided-cards">
        {decided.map((card) => (
          <CheckpointCard key={card.checkpoint.id} card={card} mayDecide={false} onDecided={refresh} />
        ))}
      </div>
    </section>
  );
}
