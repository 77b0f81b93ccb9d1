// A bad tariff, interval or plan input, naming the field at fault so a utility operator can fix the record.

export class TariffError extends Error {
  /** Path of the bad field, e.g. `energyratestructure[2][0].rate` or `intervals[17].wh`. */
  readonly path: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "TariffError";
    this.path = path;
  }
}
