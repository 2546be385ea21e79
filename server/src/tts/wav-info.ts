/** What the engine needs to know about the WAV espeak wrote: its format, length and whether it is audible. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes of PCM in the data chunk (as present in the buffer, not as the header may claim). */
  dataBytes: number;
  /** Where the PCM starts in the buffer. */
  dataOffset: number;
  durationMs: number;
  /** Largest absolute sample, 0..1 of full scale. */
  peak: number;
}

/**
 * Reads a 16-bit PCM RIFF/WAVE buffer. Throws (a plain Error: this is the engine's own output, so a bad file
 * is an internal fault) on anything else.
 */
export function readWav(buf: Uint8Array): WavInfo {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('engine output is not a WAV file');
  let pos = 12;
  let fmt: { channels: number; sampleRate: number; bits: number; format: number } | null = null;
  while (pos + 8 <= b.length) {
    const id = b.toString('ascii', pos, pos + 4);
    const size = b.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ' && body + 16 <= b.length) {
      fmt = {
        format: b.readUInt16LE(body),
        channels: b.readUInt16LE(body + 2),
        sampleRate: b.readUInt32LE(body + 4),
        bits: b.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (fmt?.format !== 1 || fmt.bits !== 16 || fmt.channels < 1 || fmt.sampleRate < 1)
        throw new Error('engine output is not 16-bit PCM');
      // espeak fills the size in on close; 0 or 0xFFFFFFFF would mean "until the end".
      const avail = b.length - body;
      const dataBytes = size === 0 || size === 0xffffffff ? avail : Math.min(size, avail);
      const frame = fmt.channels * 2;
      const usable = dataBytes - (dataBytes % 2);
      const peak = peakOf(b, body, usable);
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: 16,
        dataBytes,
        dataOffset: body,
        durationMs: Math.round((Math.floor(dataBytes / frame) / fmt.sampleRate) * 1000),
        peak: peak / 32768,
      };
    }
    pos = body + size + (size % 2);
  }
  throw new Error('engine output has no data chunk');
}

/** Largest absolute 16-bit sample; a typed-array view when aligned (tens of MB for a long text), else per byte. */
function peakOf(b: Buffer, start: number, bytes: number): number {
  let peak = 0;
  if ((b.byteOffset + start) % 2 === 0 && new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    const samples = new Int16Array(b.buffer, b.byteOffset + start, bytes / 2);
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i]!;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
    }
    return peak;
  }
  for (let i = start; i < start + bytes; i += 2) {
    const v = Math.abs(b.readInt16LE(i));
    if (v > peak) peak = v;
  }
  return peak;
}
