/**
 * Card buttons, modal submissions and Events API events, each registered under its own id (`action_id`,
 * `callback_id`, event type) and mounted on Bolt as one action listener, one view listener and one event
 * listener that pick the handler by the request's id. Bolt runs the matchers of every listener for every
 * request it is given: each listener more is paid on every message and mention, whatever it listens for
 * (one listener per button and modal had the receiver's CPU per event at peak about a quarter higher;
 * bench/slack-ack.ts).
 */
import type {
  AllMiddlewareArgs,
  App,
  SlackActionMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import { OlympusError } from '../../common/errors.js';
import { escapeRegExp } from '../../common/reg-exp.js';

export type ActionHandler = (args: SlackActionMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type ViewHandler = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type EventHandler = (args: SlackEventMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;

/** `^(a|b)$` over the ids, each taken literally. */
function exactly(ids: Iterable<string>): RegExp {
  return new RegExp(`^(?:${[...ids].map(escapeRegExp).join('|')})$`);
}

function add<H>(routes: Map<string, H>, what: string, id: string, handler: H): void {
  if (routes.has(id)) throw new OlympusError('INTERNAL', `${what} ${id} routed twice`);
  routes.set(id, handler);
}

export class ListenerRoutes {
  private readonly actions = new Map<string, ActionHandler>();
  private readonly views = new Map<string, ViewHandler>();
  private readonly events = new Map<string, EventHandler>();

  /** The handler of the button (or other block element) with this `action_id`. */
  action(actionId: string, handler: ActionHandler): void {
    add(this.actions, 'action', actionId, handler);
  }

  /** The handler of the modal with this `callback_id`. */
  view(callbackId: string, handler: ViewHandler): void {
    add(this.views, 'view', callbackId, handler);
  }

  /** The handler of Events API events of this type (`message`, `app_mention`…). */
  event(type: string, handler: EventHandler): void {
    add(this.events, 'event', type, handler);
  }

  /** Registers the routes on Bolt: at most one action, one view and one event listener. */
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
    if (this.events.size > 0) {
      app.event(exactly(this.events.keys()), (args) => this.events.get(args.event.type)!(args));
    }
  }
}
