import { describe, expect, test } from '@jest/globals';
import { mergeDraft, missingFields, type BriefDraft } from '../../agents/hermes/brief-schema.js';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import type { IntakeTurn, ProjectSummary } from '../../agents/hermes/intake-brain.js';
import type { Conversation } from '../../ports/store.js';

const now = new Date('2026-11-24T10:00:00Z');

/** A conversation kept in memory the way the handler keeps it in the store. */
class Dialogue {
  readonly brain = new GuidedIntakeBrain();
  conversation: Conversation = {
    id: 'c1',
    surface: 'console',
    threadKey: 'email:alice@example.com',
    identityId: 'i1',
    state: 'collecting',
    messages: [],
    draft: {},
    projectId: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  projects: ProjectSummary[] = [];

  async say(text: string): Promise<IntakeTurn> {
    this.conversation.messages.push({ at: now, from: 'client', text });
    const draft = this.conversation.draft as BriefDraft;
    const turn = await this.brain.turn({
      conversation: this.conversation,
      draft,
      text,
      projects: this.projects,
      now,
    });
    if (turn.intent === 'confirm') this.conversation.state = 'handed_off';
    else if (this.conversation.state !== 'handed_off') {
      const merged = mergeDraft(draft, turn.draftUpdates);
      this.conversation.draft = merged;
      this.conversation.state = missingFields(merged).length === 0 ? 'confirming' : 'collecting';
    }
    this.conversation.messages.push({ at: now, from: 'hermes', text: turn.reply });
    return turn;
  }
}

describe('guided intake brain', () => {
  test('asks for each missing field in turn, then shows the brief and takes a confirmation', async () => {
    const d = new Dialogue();
    const first = await d.say('Hi! We need a weekly email digest of our sales numbers for the team');
    expect(first.reply).toMatch(/without a language model/);
    expect(first.reply).toMatch(/What should we call the project\?/);
    expect(d.conversation.draft).toEqual({
      summary: 'We need a weekly email digest of our sales numbers for the team',
    });

    const second = await d.say('Sales Digest');
    expect(second.reply).not.toMatch(/language model/);
    expect(second.reply).toMatch(/Which features/);

    await d.say('email digest (must), slack post (should), PDF export (could)');
    const deadline = await d.say('whenever');
    expect(deadline.reply).toMatch(/couldn't read a date/);
    expect(d.conversation.state).toBe('collecting');
    await d.say('March 15');
    const shown = await d.say('$12k');
    expect(d.conversation.state).toBe('confirming');
    expect(shown.missing).toEqual([]);
    expect(shown.reply).toContain('Title: Sales Digest');
    expect(shown.reply).toContain('Budget: 12,000 USD');
    expect(shown.reply).toContain('Deadline: 2027-03-15');
    expect(shown.reply).toMatch(/Reply 'yes' to confirm/);

    const confirm = await d.say('Yes, looks good');
    expect(confirm.intent).toBe('confirm');
  });

  test('a correction while confirming updates the draft and asks again', async () => {
    const d = new Dialogue();
    await d.say(
      'Budget: 12,000 EUR\nTitle: Ops Board\nSummary: an operations dashboard\nfeatures: charts, alerts\ndeadline: May 1',
    );
    expect(d.conversation.state).toBe('confirming');
    const corrected = await d.say('change budget to 20k');
    expect(corrected.intent).toBe('correct');
    expect((d.conversation.draft as BriefDraft).budget).toEqual({ amount: 20_000, currency: 'EUR' });
    expect(corrected.reply).toContain('Budget: 20,000 EUR');
    expect(corrected.reply).toMatch(/Is this right\?/);
    const unclear = await d.say('hmm, what about colour schemes');
    expect(unclear.intent).toBe('correct');
    expect(unclear.reply).toMatch(/couldn't match that/);
    expect((await d.say('confirm')).intent).toBe('confirm');
  });

  test('after hand-off: status questions, change requests, feedback and a new project', async () => {
    const d = new Dialogue();
    d.conversation.state = 'handed_off';
    d.conversation.projectId = 'p1';
    d.conversation.messages.push({ at: now, from: 'hermes', text: 'handed off' });
    d.projects = [{ id: 'p1', key: 'sales-digest', title: 'Sales Digest', status: 'planning' }];

    const status = await d.say('How is my digest project going?');
    expect(status).toMatchObject({ intent: 'project_status', projectId: 'p1' });

    const change = await d.say('Please change the deadline to April 30');
    expect(change).toMatchObject({
      intent: 'change_request',
      projectId: 'p1',
      draftUpdates: { timeline: { deadline: '2027-04-30' } },
    });

    expect((await d.say('Thanks, great work so far')).intent).toBe('feedback');
    const again = await d.say("Let's start a new project");
    expect(again).toMatchObject({ intent: 'new_project', startOver: true });
  });

  test('a status question from a client without projects is intake, not an invented status', async () => {
    const d = new Dialogue();
    const turn = await d.say('What is the status of things?');
    expect(turn.intent).toBe('new_project');
  });
});

describe('confirmation rules', () => {
  test.each(['yes', 'Yes, looks good', 'confirm', 'OK, go ahead!', "that's right, thanks", 'LGTM'])(
    '"%s" confirms',
    async (text) => {
      const d = new Dialogue();
      await d.say('Title: A\nSummary: b\nFeatures: c\nDeadline: May 1\nBudget: 1k');
      expect((await d.say(text)).intent).toBe('confirm');
    },
  );

  test.each(['yes but change the budget to 20k', 'no', 'not yet, the deadline is wrong'])(
    '"%s" does not confirm',
    async (text) => {
      const d = new Dialogue();
      await d.say('Title: A\nSummary: b\nFeatures: c\nDeadline: May 1\nBudget: 1k');
      const turn = await d.say(text);
      expect(turn.intent).toBe('correct');
      expect(d.conversation.state).toBe('confirming');
    },
  );

  test('"yes but change the budget to 20k" applies the change', async () => {
    const d = new Dialogue();
    await d.say('Title: A\nSummary: b\nFeatures: c\nDeadline: May 1\nBudget: 1k');
    await d.say('yes but change the budget to 20k');
    expect((d.conversation.draft as BriefDraft).budget).toEqual({ amount: 20_000, currency: 'USD' });
  });
});
