import type {
  Accepted,
  Admission,
  ClientSocketHandlers,
  ConnectionRequest,
  Socket,
  SocketHandlers,
  TransportHost,
} from '../../engine-plugin/src/transport/transport';

/** A close as a socket reported it. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** Socket handlers that keep everything they are told, for assertions. */
export interface Recorder extends ClientSocketHandlers {
  readonly messages: (Uint8Array | string)[];
  readonly closes: Closed[];
  opens: number;
}

/** A fresh {@link Recorder}; `onMessage` runs after a message is recorded (to echo, say). */
export function recorder(onMessage?: (data: Uint8Array | string) => void): Recorder {
  const recorded: Recorder = {
    messages: [],
    closes: [],
    opens: 0,
    open() {
      recorded.opens++;
    },
    message(data) {
      recorded.messages.push(data);
      onMessage?.(data);
    },
    close(code, reason) {
      recorded.closes.push({ code, reason });
    },
  };
  return recorded;
}

/** One connection the host accepted. */
export interface AcceptedConnection {
  readonly socket: Socket;
  readonly request: ConnectionRequest;
  readonly admission: Accepted;
  readonly recorder: Recorder;
}

/** A {@link TransportHost} that records requests and accepted sockets. */
export interface RecordingHost extends TransportHost {
  readonly requests: ConnectionRequest[];
  readonly accepted: AcceptedConnection[];
}

/**
 * A host that admits per `decide` (default: accept everyone) and records every accepted socket.
 * `onAccept` may wire behaviour, e.g. echoing.
 */
export function recordingHost(
  decide: (request: ConnectionRequest) => Admission | Promise<Admission> = () => ({ accept: true, identity: null }),
  onAccept?: (connection: AcceptedConnection) => void,
): RecordingHost {
  const host: RecordingHost = {
    requests: [],
    accepted: [],
    admit(request) {
      host.requests.push(request);
      return decide(request);
    },
    accept(socket, request, admission): SocketHandlers {
      const connection: AcceptedConnection = { socket, request, admission, recorder: recorder() };
      host.accepted.push(connection);
      onAccept?.(connection);
      return connection.recorder;
    },
  };
  return host;
}

/** Poll until `condition` holds; real sockets need real time. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `length` bytes counting up from `start`. */
export function bytes(length: number, start = 0): Uint8Array {
  const result = new Uint8Array(length);
  for (let i = 0; i < length; i++) result[i] = (start + i) & 0xff;
  return result;
}
