/**
 * Card buttons, modal submissions, Events API events and slash commands, each registered under its own id
 * (`action_id`, `callback_id`, event type, command name) and mounted on Bolt as one global middleware that
 * picks the handler by the request's id, with no Bolt listener at all. Bolt runs every listener's matcher
 * chain for every request it is given (a copy of the chain and a promise per step): each listener more is
 * paid on every message and mention, whatever it listens for. One listener per button and modal had the
 * receiver's CPU per event at peak about a quarter higher than one per kind (bench/slack-ack.ts); one per
 * kind is paid four times over a single route. A request no route names goes on to Bolt as before (no
 * listener acks it; events are acked by the receiver).
 */
import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  App,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import { OlympusError } from '../../common/errors.js';

export type ActionHandler = (args: SlackActionMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type ViewHandler = (args: SlackViewMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type EventHandler = (args: SlackEventMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
export type CommandHandler = (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => Promise<void>;
type Args = AnyMiddlewareArgs & AllMiddlewareArgs;

function add<H>(routes: Map<string, H>, what: string, id: string, handler: H): void {
  if (routes.has(id)) throw new OlympusError('INTERNAL', `${what} ${id} routed twice`);
  routes.set(id, handler);
}

export class ListenerRoutes {
  private readonly actions = new Map<string, ActionHandler>();
  private readonly views = new Map<string, ViewHandler>();
  private readonly events = new Map<string, EventHandler>();
  private readonly commands = new Map<string, CommandHandler>();

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

  /** The handler of the slash command with this name (`/hermes`). */
  command(name: string, handler: CommandHandler): void {
    add(this.commands, 'command', name, handler);
  }

  /** Registers the routes on Bolt as one global middleware (after Bolt's own, such as ignoring itself). */
  mount(app: App): void {
    app.use((args) => this.route(args));
  }

  /** Runs the handler this request's id names; a request no route names goes on down Bolt's chain. */
  private route(args: Args): Promise<void> {
    const type = (args.body as { type?: unknown }).type;
    if ('action' in args && type === 'block_actions') {
      const handler = this.actions.get('action_id' in args.action ? args.action.action_id : '');
      if (handler) return handler(args);
    } else if ('view' in args && type === 'view_submission') {
      const handler = this.views.get(args.view.callback_id);
      if (handler) return handler(args);
    } else if ('event' in args) {
      const handler = this.events.get(args.event.type);
      if (handler) return handler(args);
    } else if ('command' in args) {
      const handler = this.commands.get(args.command.command);
      if (handler) return handler(args);
    }
    return args.next();
  }
}
