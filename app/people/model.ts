// What every side of People agrees on: the model's version, the thresholds and what an indexed photo carries; and
// what People offers other features (the entry point): the words of things for Photos' search, the removal of a
// content's face crops for the media pipeline's purge.
export { labelOf } from "./things";
export { removeFaceCrops } from "./paths";

/**
 * The models that produced a photo's faces and objects. A row indexed by another version is indexed again (its
 * faces keep their person through the overlap of their boxes: names survive a model change). Version 2: the objects'
 * input letterboxed as the model was trained (version 1 stretched it: the dog was a horse).
 */
export const MODEL_VERSION = "human-3.3.6:blazeface+facemesh+faceres+centernet:2";

/** The long side the detector sees (the measurements; the pipeline's preview is 1440). */
export const DETECT_SIZE = 1024;
/** The largest picture the child decodes (the pipeline's preview is 1440 px): face crops are cut from this decode. */
export const PREVIEW_SIZE = 1440;
/** The round crop's side on disk (shown at 64–96 CSS px). */
export const FACE_CROP_SIZE = 160;

/**
 * A face counts from this detector score (the library's default 0.2 lets false faces through). On the fixtures
 * real faces score 0.53–0.93; a sports car's grille scored 0.60 once, which is why one face never makes a person
 * (`MIN_FACES_FOR_PERSON`).
 */
export const FACE_MIN_BOX_SCORE = 0.5;
/** Objects are stored from this score (with it), so a better threshold later needs no re-index. */
export const OBJECT_MIN_STORED_SCORE = 0.2;
/**
 * Search shows an object from this score: above every false label of the fixtures' test set (app/people/indexing.test.ts
 * checks it). The highest, party-2's phone as "remote", scored 0.50 through the pipeline and up to 0.53 with the same
 * photo resized by other kernels; the true ones: the husky "dog 0.67", the cat 0.58, the cow 0.78, the cup 0.58.
 */
export const OBJECT_MIN_SEARCH_SCORE = 0.54;

/** Cosine similarity from which a face joins a person's centre (same person ≥ 0.68 in the variants, others ≤ 0.66). */
export const JOIN_SIMILARITY = 0.62;
/** Waiting faces this similar to each other form a new person… */
export const GROUP_SIMILARITY = 0.66;
/** …once there are this many of them (a single false face never becomes a person). */
export const MIN_FACES_FOR_PERSON = 2;

export type Box = readonly [x: number, y: number, w: number, h: number];
export type DetectedFace = { box: Box; score: number; landmarks: number; embedding: number[] };
export type DetectedObject = { label: string; score: number; box: Box };
/** What the indexer child answers for one photo; boxes are fractions of the picture (0–1). */
export type Detection = { width: number; height: number; faces: DetectedFace[]; objects: DetectedObject[] };

/**
 * The admin's switch (settings table); without a choice, on when the box has at least `MIN_MEMORY_BYTES`: every 2 GB
 * board, no 1 GB one.
 */
export const ENABLED_SETTING = "people.enabled";
export const MIN_MEMORY_BYTES = 1.5 * 1024 ** 3;
/** What the page calls that size: a 2 GB board reports less (the Pi 4 image gives 128 MB to the GPU, the kernel keeps some). */
export const MIN_MEMORY_WORDS = "2 GB";
/** RAM per indexer child (its 330–385 MB and room for the rest of the box): 1 child on 2–4 GB, 3 on an 8 GB Pi. */
export const MEMORY_PER_CHILD = 2 * 1024 ** 3;
/** The users who asked People to forget them (settings table): their photos are not indexed. */
export const OPTED_OUT_SETTING = "people.optedOut";
/**
 * What the indexer is doing besides its progress (settings table, written by the worker when it changes): why it
 * waits, for the dashboard. `at` is when it was written.
 */
export const INDEXER_STATE_SETTING = "people.indexer";
export type IndexerState = { paused: string | null };
