// Node's zlib as the page's worker bundle sees it (src/web/build.ts swaps it in): `crc32`, which
// checkpoints carry to check their weights (src/nn/checkpoint.ts), computed here as Node computes it
// (CRC-32/ISO-HDLC, the one of zip and gzip); every other function throws, naming itself.

/** The CRC-32 table of the reflected polynomial 0xEDB88320. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** zlib.crc32(data[, value]) of Node ≥ 20.15: the CRC-32 of `data`, continuing from `value`. */
export function crc32(data: Uint8Array | string, value = 0): number {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function unavailable(name: string): () => never {
  return () => {
    throw new Error(`zlib.${name} is not available in the browser (src/web/build.ts)`);
  };
}

export const gzipSync = unavailable("gzipSync");
export const gunzipSync = unavailable("gunzipSync");
