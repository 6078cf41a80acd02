/**
 * Many short strings as one string and where each ends. Posting a batch of rows to another
 * thread copies every string on its own (about a microsecond a row for invoices); one long
 * string crosses at memory speed and is cut up again for a tenth of that.
 */
export type PackedStrings = { readonly text: string; readonly ends: Int32Array };

export class StringPacker {
  private readonly parts: string[] = [];
  private readonly ends: number[] = [];
  private length = 0;

  add(value: string): void {
    this.parts.push(value);
    this.length += value.length;
    this.ends.push(this.length);
  }

  packed(): PackedStrings {
    return { text: this.parts.join(""), ends: Int32Array.from(this.ends) };
  }
}

/** Reads the strings of a PackedStrings back, in the order they were added. */
export class StringUnpacker {
  private index = 0;
  private start = 0;
  constructor(private readonly packed: PackedStrings) {}

  next(): string {
    const end = this.packed.ends[this.index] ?? this.start;
    this.index += 1;
    const value = this.packed.text.slice(this.start, end);
    this.start = end;
    return value;
  }
}
