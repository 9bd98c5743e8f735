/** The Modify and Reject modals: one text input (changes or reason); submitting decides. */
import { Blocks, Elements, Modal } from 'slack-block-builder';
import { z } from 'zod';
import { safeOutboundText } from './outbound-text.js';

export const MODAL_CALLBACKS = { modify: 'checkpoint.modify', reject: 'checkpoint.reject' } as const;
export const MODAL_INPUT = { blockId: 'decision', actionId: 'text' } as const;

/** `actionHash` is the hash on the card whose button opened the modal (null: the card had none). */
export const modalMetadata = z.object({
  checkpointId: z.uuid(),
  channel: z.string().min(1),
  actionHash: z.string().nullable().optional(),
});
export type ModalMetadata = z.infer<typeof modalMetadata>;

export type ModalView = ReturnType<ReturnType<typeof Modal>['buildToObject']>;

export function decisionModal(kind: 'modify' | 'reject', title: string, metadata: ModalMetadata): ModalView {
  const modify = kind === 'modify';
  return Modal({
    title: modify ? 'Modify checkpoint' : 'Reject checkpoint',
    submit: modify ? 'Send changes' : 'Reject',
    close: 'Cancel',
    callbackId: MODAL_CALLBACKS[kind],
    privateMetaData: JSON.stringify(metadata),
  })
    .blocks(
      Blocks.Section({ text: safeOutboundText(title).slice(0, 3000) }),
      Blocks.Input({
        label: modify ? 'What should change?' : 'Why is it rejected?',
        blockId: MODAL_INPUT.blockId,
      }).element(Elements.TextInput({ actionId: MODAL_INPUT.actionId, maxLength: 3000 }).multiline()),
    )
    .buildToObject();
}

/** The Provide credential modal: one secret input; submitting stores the value in the vault and approves. */
export const CREDENTIAL_CALLBACK = 'checkpoint.provide_credential';
export const CREDENTIAL_INPUT = { blockId: 'credential', actionId: 'value' } as const;
/** What the inbox keeps instead of a submitted credential value. */
export const REDACTED_VALUE = '[redacted]';

export function credentialModal(title: string, credentialName: string, metadata: ModalMetadata): ModalView {
  return Modal({
    title: 'Provide credential',
    submit: 'Store in vault',
    close: 'Cancel',
    callbackId: CREDENTIAL_CALLBACK,
    privateMetaData: JSON.stringify(metadata),
  })
    .blocks(
      Blocks.Section({ text: safeOutboundText(title).slice(0, 3000) }),
      Blocks.Input({
        label: `Value of ${credentialName}`.slice(0, 2000),
        blockId: CREDENTIAL_INPUT.blockId,
        hint: 'It goes straight to the vault; it is not shown, logged or kept in Slack.',
      }).element(Elements.TextInput({ actionId: CREDENTIAL_INPUT.actionId, maxLength: 3000 })),
    )
    .buildToObject();
}
