/**
 * The local ids an import has read, to warn when a later record replaces an earlier one. Kept as
 * 52-bit hashes in an open-addressing table of doubles (8 bytes an id, ~16 MB at a million
 * records) rather than a Set of strings (~80 MB); two different ids share a hash with odds
 * around 1e-4 at a million ids, and the cost of that is one spurious warning.
 */
export class SeenIds {
  #table = new Float64Array(1 << 12);
  #size = 0;

  /** Adds the id; true when it was there already. */
  add(id: string): boolean {
    if ((this.#size + 1) * 4 > this.#table.length * 3) this.#grow();
    const inserted = insert(this.#table, hash52(id));
    if (inserted) this.#size++;
    return !inserted;
  }

  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const old = this.#table;
    this.#table = new Float64Array(old.length * 2);
    for (const h of old) if (h !== 0) insert(this.#table, h);
  }
}

/** Inserts h (never 0); false when it is already present. */
function insert(table: Float64Array, h: number): boolean {
  const mask = table.length - 1;
  let slot = h % table.length & mask;
  for (;;) {
    const current = table[slot]!;
    if (current === 0) {
      table[slot] = h;
      return true;
    }
    if (current === h) return false;
    slot = (slot + 1) & mask;
  }
}

/** Two 32-bit FNV-1a variants combined into a non-zero 52-bit integer. */
function hash52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return ((a >>> 0) % 0x100000) * 0x100000000 + (b >>> 0) + 1;
}
