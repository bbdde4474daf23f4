/**
 * The oslo.messaging verbs Cinder uses: cast (one-way), call (request and
 * reply, with a timeout) and fanout (cast to every subscriber of a topic).
 * Deliveries are asynchronous in virtual time; callbacks, not promises, so
 * the event order is total and replayable.
 */
export type Message = Readonly<Record<string, unknown>>;

export type CallResult =
  | { ok: true; reply: unknown }
  | { ok: false; error: 'MessagingTimeout'; message: string }
  | { ok: false; error: 'RemoteError'; message: string };

/**
 * A server-side handler: returns the reply for calls (ignored for casts),
 * or a `LaterReply` when the reply is known only later.
 */
export type Handler = (method: string, args: Message, from: string) => unknown;

/**
 * A call's reply not ready when the handler returns (cinder-volume waiting
 * for a real backend's export): the bus sends the reply once `onReply`'s
 * callback is called, and the caller's timeout runs meanwhile.
 */
export interface LaterReply {
  readonly onReply: (send: (reply: unknown) => void) => void;
}

export interface Bus {
  /** Subscribe this node to `topic` (e.g. `cinder-volume.node1@lvm`). */
  serve(topic: string, handler: Handler): void;
  /** Stop serving `topic` from this node (a crashed or stopped service). */
  unserve(topic: string): void;
  cast(topic: string, method: string, args: Message): void;
  call(topic: string, method: string, args: Message, timeoutMs: number, done: (r: CallResult) => void): void;
  fanout(topic: string, method: string, args: Message): void;
}
