import type { BandwidthBudget } from './bandwidth-budget.js';
import type { Interest, InterestFilter } from './interest.js';
import type { Rooms } from './rooms.js';
import { View, type ViewMember, type ViewSpec, viewKey } from './view.js';

/** What replication remembers about one client. */
export interface ClientState extends ViewMember {
  readonly id: number;
  readonly rooms: Set<string>;
  focus: number | undefined;
  radius: number;
  view: View;
  /** The client's byte budget, when it has one (see {@link ServerReplication.setBandwidth}). */
  budget: BandwidthBudget | undefined;
}

/**
 * Clients and their interest: rooms, spatial focus, the filter, and the view each client shares
 * with every client of the same interest. Interest changes take effect at once; a client whose
 * interest changed moves to the matching view and gets a snapshot of it next.
 */
export class ClientViews {
  private readonly clients = new Map<number, ClientState>();
  private readonly views = new Map<string, View>();

  constructor(
    private readonly rooms: Rooms,
    private readonly interest: Interest,
    /** Whether spatial interest is configured (setFocus needs it). */
    private readonly spatial: boolean,
    /** Departures each view remembers for clients that skipped ticks. */
    private readonly maxLog: number,
  ) {}

  /** A new client: its next section is a full snapshot of what it sees. */
  add(clientId: number): void {
    if (this.clients.has(clientId)) throw new Error(`client ${clientId} is already registered`);
    const spec: ViewSpec = { rooms: [], focus: undefined, radius: 0, owner: this.interest.filter ? clientId : undefined };
    const client: ClientState = {
      id: clientId,
      rooms: new Set(),
      focus: undefined,
      radius: 0,
      view: this.viewFor(spec),
      lastWritten: -1,
      writtenView: undefined,
      needsSnapshot: true,
      budget: undefined,
    };
    client.view.members.add(client);
    this.clients.set(clientId, client);
  }

  /** Forget a client, its rooms and (when it was the last member) its view. */
  remove(clientId: number): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    for (const room of client.rooms) this.rooms.leaveClient(clientId, room);
    this.leaveView(client);
    this.clients.delete(clientId);
  }

  /** A registered client; throws for an unknown id. */
  get(clientId: number): ClientState {
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`client ${clientId} is not registered`);
    return client;
  }

  joinRoom(clientId: number, room: string): void {
    const client = this.get(clientId);
    if (client.rooms.has(room)) return;
    client.rooms.add(room);
    this.rooms.joinClient(clientId, room);
    this.reassign(client);
  }

  leaveRoom(clientId: number, room: string): void {
    const client = this.get(clientId);
    if (!client.rooms.delete(room)) return;
    this.rooms.leaveClient(clientId, room);
    this.reassign(client);
  }

  /** Narrow a client's view to entities within `radius` of `eid` (undefined: no spatial narrowing). */
  setFocus(clientId: number, eid: number | undefined, radius: number): void {
    if (eid !== undefined && !this.spatial) throw new Error('setFocus needs the spatial option of ServerReplication');
    const client = this.get(clientId);
    client.focus = eid;
    client.radius = eid === undefined ? 0 : radius;
    this.reassign(client);
  }

  /**
   * The final say on visibility. While a filter is set every client has its own view (the filter
   * may answer differently per client), so shared sections only apply without one.
   */
  setFilter(filter: InterestFilter | undefined): void {
    const perClientBefore = this.interest.filter !== undefined;
    this.interest.filter = filter;
    if (perClientBefore !== (filter !== undefined)) for (const client of this.clients.values()) this.reassign(client);
  }

  /** Number of distinct views (interest groups) currently held. */
  get viewCount(): number {
    return this.views.size;
  }

  private specOf(client: ClientState): ViewSpec {
    return {
      rooms: [...client.rooms].sort(),
      focus: client.focus,
      radius: client.radius,
      owner: this.interest.filter ? client.id : undefined,
    };
  }

  private viewFor(spec: ViewSpec): View {
    const key = viewKey(spec);
    let view = this.views.get(key);
    if (!view) {
      view = new View(spec, this.maxLog);
      this.views.set(key, view);
    }
    return view;
  }

  private leaveView(client: ClientState): void {
    const view = client.view;
    view.members.delete(client);
    if (view.members.size === 0) this.views.delete(view.key);
  }

  /** Interest changed: move to the matching view; the next section is a snapshot of it. */
  private reassign(client: ClientState): void {
    const spec = this.specOf(client);
    if (viewKey(spec) === client.view.key) return;
    this.leaveView(client);
    client.view = this.viewFor(spec);
    client.view.members.add(client);
    client.needsSnapshot = true;
  }
}
