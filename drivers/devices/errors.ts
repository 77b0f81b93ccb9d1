// A register map that cannot be used, with every problem on its own line naming the file, the place in the document
// and the reason ("devices/my-meter.json: fields.energy: address 70000 is outside 0..65535").
export class DeviceMapError extends Error {
  /** Every problem as one line, "file: place: reason", this file's first, then those of `others`. */
  readonly lines: string[];
  constructor(readonly file: string, readonly problems: string[], others: readonly DeviceMapError[] = []) {
    const lines = [...problems.map((p) => `${file}: ${p}`), ...others.flatMap((o) => o.lines)];
    super(lines.join("\n"));
    this.lines = lines;
    this.name = "DeviceMapError";
  }
}
