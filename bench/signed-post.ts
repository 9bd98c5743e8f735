/**
 * A signed Slack request to a receiver, the way every Slack bench sends one: Slack's v0 signature over
 * the body, on a kept-alive socket from one shared node:http agent, so each figure carries the same
 * client cost. A kept-alive socket the receiver closed just as it was reused answers ECONNRESET before
 * the request reached it: sent once more on a fresh socket, as Node's docs advise (any other error, or a
 * reset on a fresh socket, fails the request).
 */
import { createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface SignedRequest {
  signingSecret: string;
  /** `application/json` for events, `application/x-www-form-urlencoded` for interactions. */
  contentType: string;
}

/** Posts `body` signed; resolves with the HTTP status once the answer has been read. */
export async function postSigned(url: URL, body: string, request: SignedRequest): Promise<number> {
  try {
    return await postOnce(url, body, request);
  } catch (error) {
    if ((error as { reusedSocket?: boolean }).reusedSocket) return postOnce(url, body, request);
    throw error;
  }
}

function postOnce(url: URL, body: string, request: SignedRequest): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', request.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': request.contentType,
          'content-length': Buffer.byteLength(body),
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' && req.reusedSocket;
      reject(Object.assign(error, { reusedSocket: reset }));
    });
    req.end(body);
  });
}
