/**
 * The surface notifiers this process can deliver through. The composition root creates it empty, the
 * surfaces register themselves once started, and notice delivery asks it for the notifier of a thread's
 * surface (none: the notice stays in the outbox for a process that has one).
 */
import type { Surface } from '../../ports/store.js';
import type { SurfaceNotifier } from '../../ports/surface-notifier.js';

export class NotifierRegistry {
  private readonly notifiers = new Map<Surface, SurfaceNotifier>();

  register(notifier: SurfaceNotifier): () => void {
    this.notifiers.set(notifier.surface, notifier);
    return () => {
      if (this.notifiers.get(notifier.surface) === notifier) this.notifiers.delete(notifier.surface);
    };
  }

  get(surface: Surface): SurfaceNotifier | null {
    return this.notifiers.get(surface) ?? null;
  }

  surfaces(): Surface[] {
    return [...this.notifiers.keys()];
  }
}
