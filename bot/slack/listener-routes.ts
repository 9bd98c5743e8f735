/**
 * Card buttons and modal submissions, each registered under its own id and mounted on Bolt as one
 * action listener and one view listener that pick the handler by the request's id. Bolt runs the
 * matchers of every listener for every request it is given, events included: each listener more is paid
 * on every message and mention, whatever it listens for (one listener per button and modal had Bolt's
 * share of the receiver's CPU per event about a third higher; bench/slack-ack.ts).
 */
import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { OlympusError } from '../../common/errors.js';

export type ActionHandler = (args: SlackActionMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type ViewHandler = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

/** `^(a|b)$` over the ids, each taken literally. */
function exactly(ids: Iterable<string>): RegExp {
  const escaped = [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

export class InteractionRoutes {
  private readonly actions = new Map<string, ActionHandler>();
  private readonly views = new Map<string, ViewHandler>();

  /** The handler of the button (or other block element) with this `action_id`. */
  action(actionId: string, handler: ActionHandler): void {
    if (this.actions.has(actionId)) throw new OlympusError('INTERNAL', `action ${actionId} routed twice`);
    this.actions.set(actionId, handler);
  }

  /** The handler of the modal with this `callback_id`. */
  view(callbackId: string, handler: ViewHandler): void {
    if (this.views.has(callbackId)) throw new OlympusError('INTERNAL', `view ${callbackId} routed twice`);
    this.views.set(callbackId, handler);
  }

  /** Registers the routes on Bolt: at most one action listener and one view listener. */
  mount(app: App): void {
    if (this.actions.size > 0) {
      app.action(exactly(this.actions.keys()), (args) => {
        const id = 'action_id' in args.action ? args.action.action_id : '';
        return this.actions.get(id)!(args);
      });
    }
    if (this.views.size > 0) {
      app.view(exactly(this.views.keys()), (args) => this.views.get(args.view.callback_id)!(args));
    }
  }
}
