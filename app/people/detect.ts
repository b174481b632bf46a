// Faces and objects of one photo with @vladmandic/human on TensorFlow.js's WebAssembly backend. Loaded only by the
// indexer child (indexer.ts): never by the web process, never by the worker itself.
import { createRequire } from "node:module";
import { mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { APP_ROOT } from "../platform/paths";
import { DETECT_SIZE, FACE_CROP_SIZE, FACE_MIN_BOX_SCORE, OBJECT_MIN_STORED_SCORE, type Detection } from "./model";

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
  detect(input: unknown): Promise<HumanResult>;
  tf: { tensor3d(data: Uint8Array, shape: [number, number, number], dtype: "int32"): { dispose(): void }; engine(): { state: { numTensors: number } } };
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

/**
 * One photo → its faces (box relative to the picture, the detector's and the landmarks' scores, a 1024-number
 * embedding) and objects (COCO label, score, box). Each face's round-crop thumbnail goes to `cropPath(i)`.
 */
export async function detect(input: string, cropPath: (i: number) => string): Promise<Detection> {
  const h = await load();
  const image = sharp(input, { failOn: "none", limitInputPixels: 200_000_000 }).rotate();
  const { data, info } = await image
    .clone()
    .resize(DETECT_SIZE, DETECT_SIZE, { fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  const tensor = h.tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.length), [info.height, info.width, 3], "int32");
  let result: HumanResult;
  try {
    result = await h.detect(tensor);
  } finally {
    tensor.dispose();
  }
  const faces = result.face
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
  // Crops from the same decode (sharp re-reads the preview at full size: a face in a group photo stays sharp).
  const { width = info.width, height = info.height } = await image
    .clone()
    .metadata()
    .then((m) => (m.orientation && m.orientation >= 5 ? { width: m.height, height: m.width } : m));
  await Promise.all(
    faces.map(async (f, i) => {
      // A square around the face with a margin, so the round crop shows the whole face.
      const side = Math.max(f.box[2] * width, f.box[3] * height) * 1.4;
      const cx = (f.box[0] + f.box[2] / 2) * width;
      const cy = (f.box[1] + f.box[3] / 2) * height;
      const left = Math.max(0, Math.round(cx - side / 2));
      const top = Math.max(0, Math.round(cy - side / 2));
      const region = { left, top, width: Math.max(1, Math.min(Math.round(side), width - left)), height: Math.max(1, Math.min(Math.round(side), height - top)) };
      const out = cropPath(i);
      mkdirSync(dirname(out), { recursive: true });
      await image.clone().extract(region).resize(FACE_CROP_SIZE, FACE_CROP_SIZE, { fit: "cover" }).webp({ quality: 80 }).toFile(`${out}.tmp`);
      renameSync(`${out}.tmp`, out);
    }),
  );
  const objects = result.object.map((o) => {
    const [x, y, w, hgt] = o.boxRaw.map(clamp) as [number, number, number, number];
    return { label: o.label, score: round(o.score), box: [round(x), round(y), round(Math.min(w, 1 - x)), round(Math.min(hgt, 1 - y))] as const };
  });
  return { width: info.width, height: info.height, faces, objects };
}

/** Tensors still held by TensorFlow.js: flat across photos, or the indexer leaks. */
export const liveTensors = async () => (await load()).tf.engine().state.numTensors;
