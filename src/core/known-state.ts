// What an agent's stored blobs are known to hold, as a Yjs snapshot (state vector + delete set),
// so that an inbox of updates can be handled on their encoding alone, without loading the doc
// (y-redis serves Yjs the same way): an update the snapshot contains teaches nothing and is not
// relayed; any other is stored as it came and relayed, and the snapshot grows by it.
//
// The snapshot may claim less than the blobs hold (a concurrent request's addition was lost in a
// read-modify-write, or an update waits on a dependency), never more: claiming less only costs a
// duplicate relay, which the receiver recognises, so gossip still dies out.
import * as Y from 'yjs';

export class KnownState {
  private sv: Map<number, number>;
  private ds: Y.Snapshot['ds'];
  /** the updates `learn` found new, in order */
  readonly fresh: Uint8Array[] = [];

  private constructor(snapshot: Y.Snapshot) {
    this.sv = new Map(snapshot.sv);
    this.ds = snapshot.ds;
  }

  /** From a stored encoding; nothing stored (or an agent from before this record) knows nothing. */
  static decode(bytes: Uint8Array | null): KnownState {
    return new KnownState(bytes === null ? Y.emptySnapshot : Y.decodeSnapshot(bytes));
  }

  /** Exactly what a loaded doc holds. */
  static of(doc: Y.Doc): KnownState {
    return new KnownState(Y.snapshot(doc));
  }

  encode(): Uint8Array {
    return Y.encodeSnapshot(Y.createSnapshot(this.ds, this.sv));
  }

  /**
   * `update` if it holds a struct or a deletion this state lacks (then it is known, and to relay),
   * else null. An update whose only news lies past a gap is kept for storing (Yjs holds it pending
   * until the gap is filled) but not relayed, exactly as a loaded doc would not relay it: relaying
   * what no one can apply would circle the topology for as long as the gap stays open.
   */
  learn(update: Uint8Array): Uint8Array | null {
    if (Y.snapshotContainsUpdate(Y.createSnapshot(this.ds, this.sv), update)) return null;
    this.fresh.push(update);
    const { structs, ds } = Y.decodeUpdate(update);
    let taught = false;
    for (const struct of structs) {
      if (struct instanceof Y.Skip) continue;
      const known = this.sv.get(struct.id.client) ?? 0;
      const end = struct.id.clock + struct.length;
      if (struct.id.clock <= known && end > known) {
        this.sv.set(struct.id.client, end);
        taught = true;
      }
    }
    const merged = Y.mergeDeleteSets([this.ds, ds]);
    if (!Y.equalDeleteSets(this.ds, merged)) {
      this.ds = merged;
      taught = true;
    }
    return taught ? update : null;
  }
}
