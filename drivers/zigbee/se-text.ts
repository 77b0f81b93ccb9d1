// SE text fields (rate label, display message) are counted in bytes on the air, but people read characters: a cut
// must fall between user-perceived characters (grapheme clusters), never inside a UTF-8 sequence, a surrogate pair or
// an emoji/accent sequence, or the receiver gets invalid UTF-8 and herdsman's encoder refuses the frame.

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** The longest prefix of `text`, whole characters only, whose UTF-8 encoding fits `maxBytes`. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new RangeError(`byte limit ${maxBytes} must be a whole number ≥ 0`);
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const n = Buffer.byteLength(segment, "utf8");
    if (bytes + n > maxBytes) break;
    out += segment;
    bytes += n;
  }
  return out;
}
