// TensorBoard's event-file format, written by hand for scalars only: no npm writer is kept up (checked
// 2026-12: `tfrecord` 0.2.0 and `@roboflow/tfrecords` 1.0.4 are single releases pulling in protobuf
// libraries; @tensorflow/tfjs-node's summary writer needs libtensorflow, which its install script downloads).
//
// A file is a sequence of TFRecords (tensorflow/core/lib/io/record_writer.cc, RecordWriter::WriteRecord):
//   uint64 LE length | uint32 LE masked CRC32C of those 8 bytes | data | uint32 LE masked CRC32C of data
// with mask(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h).
// Each record's data is a serialized `Event` (tensorflow/core/util/event.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
// The first event of a file carries only wall_time and file_version "brain.Event:2".

/** One scalar of an event: a tag (e.g. "train/valueLoss") and its value. */
export interface TbScalar {
  tag: string;
  value: number;
}

/** One event: the scalars logged at one step. */
export interface TbEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  scalars: TbScalar[];
}

/** The file_version of the first event; TensorBoard reads files that announce this version. */
export const FILE_VERSION = "brain.Event:2";

// CRC32C (Castagnoli): reflected polynomial 0x82f63b78, as TFRecord checksums use.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32C of `bytes`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The masked CRC a TFRecord stores (masking keeps a CRC of data that holds CRCs from being trivial). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Frames `data` as one TFRecord. */
export function tfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

// Protobuf wire format: a key is (field << 3) | wire type; 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt.asUintN(64, value); // a negative int64 is written as its two's complement
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

function lengthDelimited(field: number, body: Uint8Array): Buffer {
  return Buffer.concat([varint(BigInt((field << 3) | 2)), varint(BigInt(body.length)), body]);
}

function summaryValue(scalar: TbScalar): Buffer {
  const value = Buffer.alloc(5);
  value[0] = (2 << 3) | 5; // simple_value: float, fixed32
  value.writeFloatLE(scalar.value, 1);
  return Buffer.concat([lengthDelimited(1, Buffer.from(scalar.tag, "utf8")), value]);
}

function eventBytes(wallTime: number, step: number, rest: Buffer[]): Buffer {
  const time = Buffer.alloc(9);
  time[0] = (1 << 3) | 1; // wall_time: double, fixed64
  time.writeDoubleLE(wallTime, 1);
  const stepField = Buffer.concat([Buffer.from([(2 << 3) | 0]), varint(BigInt(step))]);
  return Buffer.concat([time, stepField, ...rest]);
}

/** The serialized first event of a file: its wall time and {@link FILE_VERSION}. */
export function fileVersionEvent(wallTime: number): Buffer {
  return eventBytes(wallTime, 0, [lengthDelimited(3, Buffer.from(FILE_VERSION, "utf8"))]);
}

/** The serialized event of scalars at one step (`step` must be an integer). */
export function scalarEvent(event: TbEvent): Buffer {
  if (!Number.isSafeInteger(event.step)) throw new Error(`event step ${event.step} is not an integer`);
  const summary = Buffer.concat(event.scalars.map((s) => lengthDelimited(1, summaryValue(s))));
  return eventBytes(event.wallTime, event.step, [lengthDelimited(5, summary)]);
}

/** The bytes of a whole events file: the file-version event, then one record per event in order. */
export function eventsFile(events: TbEvent[], startWallTime: number): Buffer {
  return Buffer.concat([
    tfRecord(fileVersionEvent(startWallTime)),
    ...events.map((e) => tfRecord(scalarEvent(e))),
  ]);
}
