/**
 * The Confirm / Change buttons under a brief Hermes shows for confirmation in a DM. Their custom ids name
 * the action and the conversation (`brief:confirm:<conversation id>`), checked when pressed.
 */
import { z } from 'zod';

export type BriefAction = 'confirm' | 'change';

const customId = z.string().regex(/^brief:(confirm|change):[0-9a-f-]{36}$/);

export function briefButtons(conversationId: string): unknown[] {
  return [
    {
      type: 1,
      components: [
        { type: 2, style: 3, label: 'Confirm', custom_id: `brief:confirm:${conversationId}` },
        { type: 2, style: 2, label: 'Change', custom_id: `brief:change:${conversationId}` },
      ],
    },
  ];
}

export function readBriefButton(id: string): { action: BriefAction; conversationId: string } | null {
  if (!customId.safeParse(id).success) return null;
  const [, action, conversationId] = id.split(':');
  return { action: action as BriefAction, conversationId: conversationId! };
}
