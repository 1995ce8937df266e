/** The layout of a worker's lease deadlines, shared by the lease manager and its renewal thread. */

/** Most leases one worker may hold at once (slots of the deadline array). */
export const MAX_HELD_LEASES = 4096;

/** The leases' deadlines: monotonic ones in the first half of `buf`, wall-clock ones in the second. */
export function deadlineArrays(buf: ArrayBufferLike): { mono: Float64Array; wall: Float64Array } {
  return {
    mono: new Float64Array(buf, 0, MAX_HELD_LEASES),
    wall: new Float64Array(buf, MAX_HELD_LEASES * Float64Array.BYTES_PER_ELEMENT, MAX_HELD_LEASES),
  };
}
