/**
 * The chat-transport port's contract (ports/chat-transport.ts): the cases every surface's transport passes
 * against its peer (a recording fake of the platform, or the real server), and the once-only outbox
 * (handlers/outbox/send-once.ts) over it. A transport joins by a factory in the `transports` list of
 * test/contract/chat-transport.test.ts; `make()` gives a fresh transport, a peer that reads back what the
 * platform holds (its messages, and the files they carry), a destination and a person to reach, and
 * `close()`. What a transport cannot do on its platform is named in its `limits`, with the reason.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { sendOnce } from '../../handlers/outbox/send-once.js';
import type {
  ChatDestination,
  ChatEffect,
  ChatTransport,
  OutgoingFile,
  OutgoingMessage,
} from '../../ports/chat-transport.js';
import type { OutboxRepository } from '../../ports/store.js';

/** One message as the peer holds it. */
export interface PeerMessage {
  messageId: string;
  text: string;
  /** The thread it is in (null: top level). */
  thread: string | null;
}

/** A file as the peer holds it. */
export interface PeerFile {
  name: string;
  data: Uint8Array;
  /** The message it came with (a mail, a Discord message), or the thread it was shared in (Slack). */
  messageId: string | null;
  thread: string | null;
}

export interface TransportPeer {
  /**
   * What the platform holds at a destination (a channel, with its threads; or a person's DM), oldest
   * first, with the latest content of updated messages.
   */
  messages(destination: ChatDestination | { userId: string }): Promise<PeerMessage[]>;
  /**
   * The files the platform holds at a destination, oldest first. Left out by a transport that cannot carry
   * files (its `limits.files` says why).
   */
  files?: (destination: ChatDestination | { userId: string }) => Promise<PeerFile[]>;
}

export interface TransportRig {
  transport: ChatTransport;
  peer: TransportPeer;
  /** A destination no earlier case used (each call gives a fresh one). */
  destination(): ChatDestination;
  /** A person `dm` reaches, by the surface's id (each call gives a fresh one). */
  person(): string;
  close(): Promise<void>;
}

/**
 * What a transport cannot do on its platform, each with the reason; the cases that need it are reported
 * as skipped, with the reason in their name.
 */
export interface TransportLimits {
  /** `find` cannot tell whether a message was made (it always answers null). */
  find?: string;
  /** `find` finds replies in a thread (by their reply marker) but not top-level messages or DMs. */
  findTopLevel?: string;
  /** A message cannot be changed once made. */
  update?: string;
  /** Concurrent sends to one destination may arrive in another order. */
  order?: string;
  /** Files are left out (the message goes without them; the surface offers them another way). */
  files?: string;
}

export interface TransportFactory {
  /** Printed by the test: which transports the contract ran against. */
  name: string;
  make(): Promise<TransportRig>;
  limits?: TransportLimits;
}

let counter = 0;

/** A fresh effect of the contract (an id no earlier case used). */
export function contractEffect(kind = 'contract.post'): ChatEffect {
  counter += 1;
  return { effectId: `contract:${counter}:${randomUUID()}`, kind, since: new Date(Date.now() - 1000) };
}

function text(body: string): OutgoingMessage {
  return { text: body };
}

/** A small file whose bytes are not text (every byte value, so no encoding on the way can hide a change). */
export function contractFile(): OutgoingFile {
  const data = new Uint8Array(512);
  for (let index = 0; index < data.length; index += 1) data[index] = (index * 7 + 3) % 256;
  return { name: 'contract-workspace.tar.gz', contentType: 'application/gzip', data, title: 'Every file' };
}

/** The files the peer holds at a destination (a transport that carries files gives its peer `files`). */
function filesAt(peer: TransportPeer, to: ChatDestination): Promise<PeerFile[]> {
  if (peer.files === undefined) {
    throw new Error('the peer cannot read files: give it `files`, or name the limit in `limits.files`');
  }
  return peer.files(to);
}

/**
 * The shared cases for one transport. `outbox` gives a real outbox repository (a store the test file
 * opened), for the cases that run `sendOnce` over the transport.
 */
export function chatTransportCases(factory: TransportFactory, outbox: () => OutboxRepository): void {
  /** `test`, or `test.skip` naming why, when the transport cannot do what the case needs. */
  const needs = (...wanted: Array<keyof TransportLimits>) => {
    const reason = wanted.map((limit) => factory.limits?.[limit]).find((why) => why !== undefined);
    return reason === undefined
      ? test
      : (name: string, fn: () => Promise<void>) => test.skip(`${name} (skipped: ${reason})`, fn);
  };

  describe(`chat transport contract: ${factory.name}`, () => {
    let rig: TransportRig;

    beforeAll(async () => {
      rig = await factory.make();
    }, 60_000);

    afterAll(async () => {
      await rig?.close();
    });

    needs('find', 'findTopLevel')('a post carries its effect id: find() finds it at top level', async () => {
      const { transport } = rig;
      const to = rig.destination();
      const effect = contractEffect();
      const ref = await transport.post(effect, to, text('first post'));
      expect(await transport.find(effect, to)).toEqual(ref);
    });

    needs('find')('a reply in a thread carries its effect id: find() finds it there', async () => {
      const { transport, peer } = rig;
      const to = rig.destination();
      const ref = await transport.post(contractEffect(), to, text('first post'));
      expect(ref.channel).toBe(to.channel);
      expect(ref.messageId).not.toBe('');

      const inThread = { channel: to.channel, thread: ref.messageId };
      const reply = contractEffect();
      const replyRef = await transport.post(reply, inThread, text('a reply in the thread'));
      expect(await transport.find(reply, inThread)).toEqual(replyRef);
      const held = await peer.messages(to);
      expect(held.map((message) => message.text)).toEqual(['first post', 'a reply in the thread']);
      expect(held[1]?.thread).toBe(ref.messageId);
    });

    test('find() returns null for an effect the peer does not hold', async () => {
      const { transport } = rig;
      const to = rig.destination();
      await transport.post(contractEffect(), to, text('someone else'));
      expect(await transport.find(contractEffect(), to)).toBeNull();
      expect(await transport.find(contractEffect(), { userId: rig.person() })).toBeNull();
    });

    needs('update')('update replaces the content of the message, in place', async () => {
      const { transport, peer } = rig;
      const to = rig.destination();
      const ref = await transport.post(contractEffect(), to, text('pending'));
      const updated = await transport.update(contractEffect('contract.update'), ref, text('approved'));
      expect(updated).toEqual(ref);
      const held = await peer.messages(to);
      expect(held).toHaveLength(1);
      expect(held[0]).toMatchObject({ messageId: ref.messageId, text: 'approved' });
    });

    test('dm reaches the person', async () => {
      const { transport, peer } = rig;
      const person = rig.person();
      const ref = await transport.dm(contractEffect('contract.dm'), person, text('your link code is 123456'));
      const held = await peer.messages({ userId: person });
      expect(held.map((message) => message.text)).toEqual(['your link code is 123456']);
      expect(held[0]?.messageId).toBe(ref.messageId);
    });

    needs('find', 'findTopLevel')('find() by person finds a dm', async () => {
      const { transport } = rig;
      const person = rig.person();
      const effect = contractEffect('contract.dm');
      const ref = await transport.dm(effect, person, text('your link code is 654321'));
      expect(await transport.find(effect, { userId: person })).toEqual(ref);
    });

    needs('order')('inLane keeps the order of concurrent sends to one destination', async () => {
      const { transport, peer } = rig;
      const to = rig.destination();
      const bodies = ['one', 'two', 'three', 'four', 'five'];
      await Promise.all(
        bodies.map((body) => transport.inLane(to, () => transport.post(contractEffect(), to, text(body)))),
      );
      expect((await peer.messages(to)).map((message) => message.text)).toEqual(bodies);
    });

    test('sendOnce over the transport posts once when called twice', async () => {
      const { transport, peer } = rig;
      const to = rig.destination();
      const effect = contractEffect();
      const once = () =>
        sendOnce(outbox(), transport, effect, { op: 'post', to }, () => text('exactly once'));
      const first = await once();
      const second = await once();
      expect(second).toEqual(first);
      expect(await peer.messages(to)).toHaveLength(1);
      expect((await outbox().get(effect.effectId))?.status).toBe('done');
    });

    needs('find', 'findTopLevel')(
      'sendOnce posts once when the first attempt reached the peer but its outcome was unknown',
      async () => {
        const { transport, peer } = rig;
        const to = rig.destination();
        const effect = contractEffect();
        // The first attempt: begun, sent, and never completed (the process died before it learned the answer).
        await outbox().enqueue(effect.effectId, effect.kind, { contract: true });
        expect((await outbox().begin(effect.effectId))?.attempts).toBe(1);
        const sent = await transport.post(effect, to, text('sent before the crash'));
        let rendered = 0;
        const again = await sendOnce(outbox(), transport, effect, { op: 'post', to }, () => {
          rendered += 1;
          return text('sent again');
        });
        expect(again).toEqual(sent);
        expect(rendered).toBe(0);
        expect((await peer.messages(to)).map((message) => message.text)).toEqual(['sent before the crash']);
        expect((await outbox().get(effect.effectId))?.status).toBe('done');
      },
    );

    if (factory.limits?.files === undefined) {
      test('a post with a file delivers the file', async () => {
        const { transport, peer } = rig;
        const to = rig.destination();
        const file = contractFile();
        const ref = await transport.post(contractEffect(), to, { text: 'your deliverables', files: [file] });
        const held = await peer.messages(to);
        expect(held.map((message) => message.text)).toEqual(['your deliverables']);
        const files = await filesAt(peer, to);
        expect(files).toHaveLength(1);
        expect(files[0]?.name).toBe(file.name);
        expect(Buffer.from(files[0]!.data).equals(Buffer.from(file.data))).toBe(true);
        // With the message itself, or in its thread (Slack shares files into the thread under it).
        expect([files[0]?.messageId, files[0]?.thread]).toContain(ref.messageId);
      });

      test('a reply with a file delivers the file in the thread', async () => {
        const { transport, peer } = rig;
        const to = rig.destination();
        const root = await transport.post(contractEffect(), to, text('the project thread'));
        const file = { ...contractFile(), name: 'reply.tar.gz' };
        const inThread = { channel: to.channel, thread: root.messageId };
        const reply = await transport.post(contractEffect(), inThread, { text: 'done', files: [file] });
        const files = await filesAt(peer, to);
        expect(files.map((held) => held.name)).toEqual(['reply.tar.gz']);
        expect(Buffer.from(files[0]!.data).equals(Buffer.from(file.data))).toBe(true);
        // With the reply, or shared into the thread the reply is in.
        expect(files[0]?.messageId === reply.messageId || files[0]?.thread === root.messageId).toBe(true);
      });
    } else {
      test(`a post with a file delivers the message and leaves the file out (${factory.limits.files})`, async () => {
        const { transport, peer } = rig;
        const to = rig.destination();
        const ref = await transport.post(contractEffect(), to, {
          text: 'your deliverables',
          files: [contractFile()],
        });
        const held = await peer.messages(to);
        expect(held.map((message) => message.text)).toEqual(['your deliverables']);
        expect(held[0]?.messageId).toBe(ref.messageId);
        expect((await peer.files?.(to)) ?? []).toEqual([]);
      });
    }

    test('sendOnce sends a DM once when the first attempt did not reach the peer', async () => {
      const { transport, peer } = rig;
      const person = rig.person();
      const effect = contractEffect('contract.dm');
      await outbox().enqueue(effect.effectId, effect.kind, {});
      await outbox().begin(effect.effectId);
      const ref = await sendOnce(outbox(), transport, effect, { op: 'dm', userId: person }, () =>
        text('sent after the lost attempt'),
      );
      await sendOnce(outbox(), transport, effect, { op: 'dm', userId: person }, () => text('never'));
      const held = await peer.messages({ userId: person });
      expect(held.map((message) => message.text)).toEqual(['sent after the lost attempt']);
      expect(held[0]?.messageId).toBe(ref?.messageId);
    });
  });
}
