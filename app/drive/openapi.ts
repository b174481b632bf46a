// The OpenAPI 3.1 description of the Drive API, served at /api/v1/openapi.json. Kept by hand beside the routes.
const item = {
  type: "object",
  required: ["id", "parentId", "kind", "name", "size", "mime", "sha256", "starred", "createdAt", "updatedAt", "trashedAt"],
  properties: {
    id: { type: "string" },
    parentId: { type: ["string", "null"] },
    kind: { enum: ["folder", "file"] },
    name: { type: "string" },
    size: { type: "integer" },
    mime: { type: ["string", "null"] },
    sha256: { type: ["string", "null"] },
    starred: { type: "boolean" },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    trashedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const ref = { $ref: "#/components/schemas/Item" };
const items = { type: "object", properties: { items: { type: "array", items: ref } } };
const one = { type: "object", properties: { item: ref } };
const ids = {
  type: "object",
  required: ["ids"],
  properties: {
    ids: {
      oneOf: [
        { type: "array", items: { type: "string" } },
        { type: "string", description: "comma-separated" },
      ],
    },
  },
};
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, description = "OK") => ({ description, ...json(schema) });
const errors = {
  "400": { description: "Invalid input (bad name, unsafe path…)", ...json({ $ref: "#/components/schemas/Error" }) },
  "401": { description: "Not signed in / bad token" },
  "404": { description: "No such item, or not yours" },
};
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const listParams = ["sort", "desc", "offset", "limit"].map((name) => ({ name, in: "query", schema: { type: "string" } }));

/** The document, with the paths other features serve under /api/v1 (Sharing's, given by the composition root). */
export function openApiDocument(otherPaths: Record<string, unknown> = {}) {
  return {
    openapi: "3.1.0",
    info: { title: "NAS Drive API", version: "1" },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "App token (nas_…) from Settings → App tokens" },
        session: { type: "apiKey", in: "cookie", name: "nas_session", description: "Browser session; unsafe methods also need X-CSRF-Token" },
      },
      schemas: { Item: item, Error: { type: "object", properties: { error: { type: "string" } } } },
    },
    paths: {
      "/usage": {
        get: {
          summary: "Bytes used and quota",
          responses: { "200": ok({ type: "object", properties: { used: { type: "integer" }, quota: { type: ["integer", "null"] } } }) },
        },
      },
      "/root": { get: { summary: "The root folder and its children", parameters: listParams, responses: { "200": ok({ type: "object" }) } } },
      "/files/{id}": {
        get: {
          summary: "Stat an item; folders include a page of children and their path",
          parameters: [...idParam, ...listParams],
          responses: { "200": ok(one), ...errors },
        },
        patch: {
          summary: "Rename",
          parameters: idParam,
          requestBody: json({ type: "object", required: ["name"], properties: { name: { type: "string" } } }),
          responses: { "200": ok(one), "409": { description: "Name taken" }, ...errors },
        },
      },
      "/files/{id}/content": {
        get: {
          summary: "Download (supports Range, If-None-Match, If-Range)",
          parameters: [...idParam, { name: "inline", in: "query", schema: { enum: ["1"] } }, { name: "Range", in: "header", schema: { type: "string" } }],
          responses: {
            "200": { description: "The file" },
            "206": { description: "A byte range" },
            "304": { description: "Not modified" },
            "416": { description: "Range not satisfiable" },
            ...errors,
          },
        },
      },
      "/files/{id}/star": {
        post: {
          summary: "Star or unstar",
          parameters: idParam,
          requestBody: json({ type: "object", properties: { starred: { type: "boolean" } } }),
          responses: { "200": ok(one), ...errors },
        },
      },
      "/folders": {
        post: {
          summary: "Create a folder",
          requestBody: json({ type: "object", required: ["name"], properties: { parentId: { type: "string" }, name: { type: "string" } } }),
          responses: { "201": ok(one, "Created"), "409": { description: "Name taken" }, ...errors },
        },
      },
      "/move": {
        post: {
          summary: "Move items into a folder",
          requestBody: json({ ...ids, required: ["ids", "targetId"], properties: { ...ids.properties, targetId: { type: "string" } } }),
          responses: { "200": ok(items), ...errors },
        },
      },
      "/copy": {
        post: {
          summary: "Copy items into a folder (content is shared, not duplicated)",
          requestBody: json({ ...ids, properties: { ...ids.properties, targetId: { type: "string" } } }),
          responses: { "200": ok(items), ...errors },
        },
      },
      "/trash": {
        get: { summary: "Items in the trash", responses: { "200": ok(items) } },
        post: { summary: "Move items to the trash", requestBody: json(ids), responses: { "200": ok({ type: "object" }), ...errors } },
        delete: { summary: "Empty the trash", responses: { "200": ok({ type: "object" }) } },
      },
      "/restore": {
        post: {
          summary: "Restore trashed items to where they were (recreating missing parents)",
          requestBody: json(ids),
          responses: { "200": ok(items), ...errors },
        },
      },
      "/purge": { post: { summary: "Delete trashed items forever", requestBody: json(ids), responses: { "200": ok({ type: "object" }), ...errors } } },
      "/recent": { get: { summary: "Recently changed files", responses: { "200": ok(items) } } },
      "/starred": { get: { summary: "Starred items", responses: { "200": ok(items) } } },
      "/search": {
        get: {
          summary: "Prefix search over names (FTS5)",
          parameters: [
            { name: "q", in: "query", schema: { type: "string" } },
            { name: "limit", in: "query", schema: { type: "integer", maximum: 100 } },
          ],
          responses: { "200": ok(items) },
        },
      },
      "/zip": {
        get: {
          summary: "Download items as a streamed zip",
          parameters: [{ name: "ids", in: "query", required: true, schema: { type: "string" }, description: "comma-separated ids" }],
          responses: { "200": { description: "application/zip" }, ...errors },
        },
      },
      "/upload": {
        put: {
          summary: "Plain single-request upload: the body is the file (curl -T)",
          parameters: [
            { name: "name", in: "query", required: true, schema: { type: "string" } },
            { name: "parentId", in: "query", schema: { type: "string" } },
            { name: "path", in: "query", schema: { type: "string" }, description: "folders to create under parentId, a/b/c" },
            { name: "conflict", in: "query", schema: { enum: ["rename", "replace", "fail"] } },
          ],
          requestBody: { content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
          responses: { "201": ok(one, "Stored"), "413": { description: "Over quota" }, "507": { description: "Disk full; nothing was stored" }, ...errors },
        },
      },
      "/uploads": {
        post: {
          summary: "tus 1.0 resumable upload (creation). Upload-Metadata: filename, parentId, relativePath, conflict",
          description: "Then PATCH /uploads/{id} with Upload-Offset, HEAD to resume, DELETE to cancel. The finished response carries X-Drive-File-Id.",
          responses: {
            "201": { description: "Created; Location names the upload" },
            "413": { description: "Over quota" },
            "507": { description: "Disk full" },
            ...errors,
          },
        },
      },
      ...otherPaths,
    },
  };
}
