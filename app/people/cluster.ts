// Face embeddings and the incremental clustering (plain functions, no database): a new face joins the most similar
// person's centre above JOIN_SIMILARITY, or waits; waiting faces similar enough to each other become a new person.
// Nothing here ever merges two people: only their owner does (people.ts).
import { GROUP_SIMILARITY, JOIN_SIMILARITY, MIN_FACES_FOR_PERSON } from "./model";

export const EMBEDDING_SIZE = 1024;

/** 1024 floats → 1024 int8 and the scale that brings them back (1 KB a face instead of 4). */
export function quantize(embedding: ArrayLike<number>): { bytes: Buffer; scale: number } {
  let max = 0;
  for (let i = 0; i < embedding.length; i++) max = Math.max(max, Math.abs(embedding[i]!));
  const scale = max / 127 || 1;
  const q = new Int8Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) q[i] = Math.round(embedding[i]! / scale);
  return { bytes: Buffer.from(q.buffer), scale };
}

export function dequantize(bytes: Uint8Array, scale: number): Float32Array {
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i]! * scale;
  return out;
}

export const vectorOf = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
export const bytesOf = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** The mean of unit vectors: a person's centre (compared by cosine, so its length does not matter). */
export function centroidOf(vectors: Float32Array[]): Float32Array {
  const sum = new Float32Array(EMBEDDING_SIZE);
  for (const v of vectors) {
    const n = norm(v) || 1;
    for (let i = 0; i < sum.length; i++) sum[i]! += v[i]! / n;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= vectors.length || 1;
  return sum;
}

/** The centre after one more face: the running mean of `count` faces and the new one. */
export function withFace(centroid: Float32Array, count: number, v: Float32Array): Float32Array {
  const n = norm(v) || 1;
  const out = new Float32Array(centroid.length);
  for (let i = 0; i < out.length; i++) out[i] = (centroid[i]! * count + v[i]! / n) / (count + 1);
  return out;
}

export type Candidate = { id: string; centroid: Float32Array };
export type Waiting = { id: number; vector: Float32Array; rejected: string | null };

/** The person a face joins: the most similar centre at or above JOIN_SIMILARITY, never one the owner ruled out. */
export function nearestPerson(v: Float32Array, people: Candidate[], rejected: string | null): { id: string; similarity: number } | null {
  let best: { id: string; similarity: number } | null = null;
  for (const p of people) {
    if (p.id === rejected) continue;
    const s = cosine(v, p.centroid);
    if (s >= JOIN_SIMILARITY && (!best || s > best.similarity)) best = { id: p.id, similarity: s };
  }
  return best;
}

/**
 * A new person from waiting faces: `v` and every waiting face at least GROUP_SIMILARITY from it, when there are
 * MIN_FACES_FOR_PERSON of them; else null and `v` waits too.
 */
export function newGroup(v: Float32Array, waiting: Waiting[]): Waiting[] | null {
  const close = waiting.filter((w) => cosine(v, w.vector) >= GROUP_SIMILARITY);
  return close.length + 1 >= MIN_FACES_FOR_PERSON ? close : null;
}

/** Intersection over union of two boxes (x, y, w, h): how a re-indexed face finds the face it replaces. */
export function overlap(a: readonly number[], b: readonly number[]): number {
  const x = Math.max(0, Math.min(a[0]! + a[2]!, b[0]! + b[2]!) - Math.max(a[0]!, b[0]!));
  const y = Math.max(0, Math.min(a[1]! + a[3]!, b[1]! + b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = x * y;
  return inter / (a[2]! * a[3]! + b[2]! * b[3]! - inter || 1);
}
