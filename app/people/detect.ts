// Faces and objects of one photo with @vladmandic/human on TensorFlow.js's WebAssembly backend. Loaded only by the
// indexer child (indexer.ts): never by the web process, never by the worker itself.
import { createRequire } from "node:module";
import { mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { APP_ROOT } from "../platform/paths";
import { DETECT_SIZE, FACE_CROP_SIZE, FACE_MIN_BOX_SCORE, OBJECT_MIN_STORED_SCORE, PREVIEW_SIZE, type Detection } from "./model";

// The package's Node build for the wasm backend, by path: tfjs-node would download libtensorflow at install time.
const HUMAN = join(APP_ROOT, "node_modules/@vladmandic/human/dist/human.node-wasm.js");
const MODELS = join(APP_ROOT, "node_modules/@vladmandic/human/models/");
const WASM = join(APP_ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist/");
// Human fetches its models by URL; this host is answered from the package's own models folder (nothing leaves the box).
const MODEL_HOST = "http://human-models.invalid/";

type HumanResult = {
  face: { boxScore: number; faceScore: number; boxRaw: [number, number, number, number]; embedding?: number[] }[];
  object: { label: string; score: number; boxRaw: [number, number, number, number] }[];
};
type Human = {
  load(): Promise<void>;
  detect(input: unknown, config?: object): Promise<HumanResult>;
  tf: { tensor3d(data: Int32Array, shape: [number, number, number], dtype: "int32"): { dispose(): void }; engine(): { state: { numTensors: number } } };
};

/** Settings for stills (measured: issue 25): no frame cache or skipping, no smoothing, no warm-up, faces ≥ 0.5. */
const CONFIG = {
  backend: "wasm",
  wasmPath: WASM,
  modelBasePath: MODEL_HOST,
  debug: false,
  // Threads in the wasm backend would spawn workers per process: one process per core is the parallelism instead.
  flags: { WASM_HAS_MULTITHREAD_SUPPORT: false },
  cacheSensitivity: 0,
  warmup: "none",
  filter: { enabled: false },
  gesture: { enabled: false },
  body: { enabled: false },
  hand: { enabled: false },
  segmentation: { enabled: false },
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 50, minConfidence: FACE_MIN_BOX_SCORE, return: false, skipFrames: 0, skipTime: 0 },
    mesh: { enabled: true },
    iris: { enabled: false },
    description: { enabled: true, skipFrames: 0, skipTime: 0 },
    emotion: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
  object: { enabled: true, minConfidence: OBJECT_MIN_STORED_SCORE, maxDetected: 20, skipFrames: 0, skipTime: 0 },
};

let human: Promise<Human> | undefined;

/** Builds Human once per process; the models come from the package (models/*.json and .bin). */
function load(): Promise<Human> {
  human ??= (async () => {
    const realFetch = globalThis.fetch;
    globalThis.fetch = Object.assign(
      (url: string | URL | Request, init?: RequestInit) => {
        const u = typeof url === "string" ? url : url instanceof URL ? url.href : url.url;
        if (!u.startsWith(MODEL_HOST)) return realFetch(url, init);
        const name = u.slice(MODEL_HOST.length);
        if (!/^[a-z0-9-]+\.(json|bin)$/.test(name)) return Promise.resolve(new Response("not found", { status: 404 }));
        return Promise.resolve(new Response(Bun.file(join(MODELS, name))));
      },
      { preconnect: realFetch.preconnect },
    );
    const { Human } = createRequire(import.meta.url)(HUMAN) as { Human: new (config: object) => Human };
    const h = new Human(CONFIG);
    await h.load();
    return h;
  })();
  return human;
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** CenterNet's square input (its model's signature: 1 × 512 × 512 × 3). */
const OBJECT_SIZE = 512;
/** Human merges a call's settings into its own: each call says which half of the work it wants. */
const FACES_ONLY = { face: { enabled: true }, object: { enabled: false } };
const OBJECTS_ONLY = { face: { enabled: false }, object: { enabled: true } };

type Pixels = { data: Buffer; width: number; height: number };

/** The picture upright, as 8-bit RGB: decoded once, every later step (the two inputs, the crops) reads this buffer. */
async function decode(input: string): Promise<Pixels> {
  // Bounded to the preview's size: a larger picture (never fed by the worker) is not held at full size.
  const { data, info } = await sharp(input, { failOn: "none", limitInputPixels: 200_000_000 })
    .rotate()
    .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`the preview decoded to ${info.channels} channels, not RGB`);
  return { data, width: info.width, height: info.height };
}

const fromPixels = (p: Pixels) => sharp(p.data, { raw: { width: p.width, height: p.height, channels: 3 } });

/** The faces' input: the picture at `DETECT_SIZE` on its long side (the issue's measurements). */
async function faceInput(p: Pixels): Promise<Pixels> {
  if (Math.max(p.width, p.height) <= DETECT_SIZE) return p;
  const { data, info } = await fromPixels(p).resize(DETECT_SIZE, DETECT_SIZE, { fit: "inside" }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The objects' input as the model was trained and evaluated (610265158/mobilenetv3_centernet, `FaceDetector.preprocess`:
 * RGB, scaled to fit the square and centred on black). Human would stretch the picture to the square instead: a
 * 4:3 photo squeezed by a third, which made the husky a horse and the cat a dog. Returns where the picture sits.
 */
async function objectInput(p: Pixels) {
  const scale = OBJECT_SIZE / Math.max(p.width, p.height);
  const width = Math.max(1, Math.round(p.width * scale));
  const height = Math.max(1, Math.round(p.height * scale));
  const left = Math.floor((OBJECT_SIZE - width) / 2);
  const top = Math.floor((OBJECT_SIZE - height) / 2);
  const data = await fromPixels(p)
    .resize(width, height, { fit: "fill" })
    .extend({ left, top, right: OBJECT_SIZE - width - left, bottom: OBJECT_SIZE - height - top, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer();
  return { pixels: { data, width: OBJECT_SIZE, height: OBJECT_SIZE }, left, top, width, height };
}

/**
 * The models' input as int32, one array reused photo after photo: making a tensor copies its values into the wasm
 * heap, and a fresh array per input (9 MB at 1024 px, which TensorFlow.js made from the bytes) was garbage that
 * piled up until the next full collection: the child grew from 230 to 935 MB over its first 30 photos.
 */
let staging = new Int32Array(0);

async function run(h: Human, p: Pixels, config: object): Promise<HumanResult> {
  if (staging.length < p.data.length) staging = new Int32Array(p.data.length);
  const values = staging.subarray(0, p.data.length);
  values.set(p.data);
  const tensor = h.tf.tensor3d(values, [p.height, p.width, 3], "int32");
  try {
    return await h.detect(tensor, config);
  } finally {
    tensor.dispose();
  }
}

/**
 * One photo → its faces (box relative to the picture, the detector's and the landmarks' scores, a 1024-number
 * embedding) and objects (COCO label, score, box). Each face's round-crop thumbnail goes to `cropPath(i)`.
 */
export async function detect(input: string, cropPath: (i: number) => string): Promise<Detection> {
  const h = await load();
  const pixels = await decode(input);
  const forFaces = await faceInput(pixels);
  const found = await run(h, forFaces, FACES_ONLY);
  const faces = found.face
    .filter((f) => f.embedding?.length)
    .map((f) => {
      const [x, y, w, hgt] = f.boxRaw.map(clamp) as [number, number, number, number];
      return {
        box: [round(x), round(y), round(Math.min(w, 1 - x)), round(Math.min(hgt, 1 - y))] as const,
        score: round(f.boxScore),
        landmarks: round(f.faceScore),
        embedding: f.embedding!,
      };
    });
  const square = await objectInput(pixels);
  const things = await run(h, square.pixels, OBJECTS_ONLY);
  // Crops from the decoded preview (larger than the detector's input: a face in a group photo stays sharp).
  const { width, height } = pixels;
  for (const [i, f] of faces.entries()) {
    // A square around the face with a margin, so the round crop shows the whole face.
    const side = Math.max(f.box[2] * width, f.box[3] * height) * 1.4;
    const cx = (f.box[0] + f.box[2] / 2) * width;
    const cy = (f.box[1] + f.box[3] / 2) * height;
    const left = Math.max(0, Math.round(cx - side / 2));
    const top = Math.max(0, Math.round(cy - side / 2));
    const region = { left, top, width: Math.max(1, Math.min(Math.round(side), width - left)), height: Math.max(1, Math.min(Math.round(side), height - top)) };
    const out = cropPath(i);
    mkdirSync(dirname(out), { recursive: true });
    await fromPixels(pixels).extract(region).resize(FACE_CROP_SIZE, FACE_CROP_SIZE, { fit: "cover" }).webp({ quality: 80 }).toFile(`${out}.tmp`);
    renameSync(`${out}.tmp`, out);
  }
  // The model's boxes are fractions of its square: back to fractions of the picture.
  const objects = things.object.map((o) => {
    const [bx, by, bw, bh] = o.boxRaw;
    const x = clamp((bx * OBJECT_SIZE - square.left) / square.width);
    const y = clamp((by * OBJECT_SIZE - square.top) / square.height);
    const w = clamp((bw * OBJECT_SIZE) / square.width);
    const hgt = clamp((bh * OBJECT_SIZE) / square.height);
    return { label: o.label, score: round(o.score), box: [round(x), round(y), round(Math.min(w, 1 - x)), round(Math.min(hgt, 1 - y))] as const };
  });
  return { width: forFaces.width, height: forFaces.height, faces, objects };
}

/** Tensors still held by TensorFlow.js: flat across photos, or the indexer leaks. */
export const liveTensors = async () => (await load()).tf.engine().state.numTensors;
