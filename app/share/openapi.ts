// The share routes of the JSON API, merged into /api/v1/openapi.json (app/drive/openapi.ts) by app/server.ts.
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const link = {
  type: "object",
  properties: {
    id: { type: "string" },
    fileId: { type: ["string", "null"] },
    albumId: { type: ["string", "null"] },
    name: { type: ["string", "null"] },
    kind: { enum: ["folder", "file", "album", null] },
    owner: { type: "string" },
    state: { enum: ["active", "expired", "revoked"] },
    hasPassword: { type: "boolean" },
    expiresAt: { type: ["string", "null"], format: "date-time" },
    allowDownload: { type: "boolean" },
    allowMetadata: { type: "boolean" },
    allowUpload: { type: "boolean" },
    views: { type: "integer" },
    createdAt: { type: "string", format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const grant = {
  type: "object",
  properties: {
    id: { type: "string" },
    folderId: { type: "string" },
    name: { type: ["string", "null"] },
    owner: { type: "string" },
    grantee: { type: "string" },
    access: { enum: ["read", "write"] },
    createdAt: { type: "string", format: "date-time" },
  },
};
const albumGrant = {
  type: "object",
  properties: {
    id: { type: "string" },
    albumId: { type: "string" },
    name: { type: "string" },
    owner: { type: "string" },
    grantee: { type: "string" },
    access: { enum: ["view", "contribute"] },
    createdAt: { type: "string", format: "date-time" },
  },
};
const refused = {
  "400": { description: "Invalid input" },
  "401": { description: "Not signed in" },
  "403": { description: "Not the owner" },
  "404": { description: "No such item, or not yours" },
};

export const sharePaths = {
  "/shares": {
    get: {
      summary: "Your share links with their state and views (never their tokens)",
      responses: { "200": { description: "OK", ...json({ type: "object", properties: { links: { type: "array", items: link } } }) } },
    },
    post: {
      summary: "Create a share link to one of your files, folders or Photos albums; the token is in this answer only",
      requestBody: json({
        type: "object",
        description: "Exactly one of fileId and albumId.",
        properties: {
          fileId: { type: "string" },
          albumId: { type: "string" },
          allowUpload: { type: "boolean", description: "Folders only: a drop box (visitors upload, see nothing; default false)" },
          password: { type: "string", minLength: 4 },
          expiresAt: { type: "string", format: "date-time" },
          expiresInDays: { type: "string" },
          allowDownload: { type: "boolean" },
          allowMetadata: { type: "boolean", description: "EXIF/GPS kept (default false)" },
        },
      }),
      responses: {
        "201": { description: "Created", ...json({ type: "object", properties: { link, token: { type: "string" }, url: { type: "string" } } }) },
        ...refused,
      },
    },
  },
  "/shares/{id}": {
    delete: {
      summary: "Revoke a link (yours, or any as the administrator)",
      parameters: idParam,
      responses: { "200": { description: "Revoked" }, ...refused },
    },
  },
  "/shares/users": {
    get: {
      summary: "Your folders shared with people on this box",
      responses: { "200": { description: "OK", ...json({ type: "object", properties: { shares: { type: "array", items: grant } } }) } },
    },
    post: {
      summary: "Share one of your folders with a person, read or read-write (again: change the access)",
      requestBody: json({
        type: "object",
        required: ["folderId", "username", "access"],
        properties: { folderId: { type: "string" }, username: { type: "string" }, access: { enum: ["read", "write"] } },
      }),
      responses: { "201": { description: "Shared", ...json({ type: "object", properties: { share: grant } }) }, ...refused },
    },
  },
  "/shares/users/{id}": {
    delete: { summary: "Remove a person's access (at once)", parameters: idParam, responses: { "200": { description: "Removed" }, ...refused } },
  },
  "/shares/albums": {
    get: {
      summary: "Your Photos albums shared with people on this box",
      responses: { "200": { description: "OK", ...json({ type: "object", properties: { shares: { type: "array", items: albumGrant } } }) } },
    },
    post: {
      summary: "Share one of your albums with a person: view, or contribute (they add their own photos); again: change the access",
      requestBody: json({
        type: "object",
        required: ["albumId", "username", "access"],
        properties: { albumId: { type: "string" }, username: { type: "string" }, access: { enum: ["view", "contribute"] } },
      }),
      responses: { "201": { description: "Shared", ...json({ type: "object", properties: { share: albumGrant } }) }, ...refused },
    },
  },
  "/shares/albums/{id}": {
    delete: { summary: "Remove a person's access to an album (at once)", parameters: idParam, responses: { "200": { description: "Removed" }, ...refused } },
  },
  "/admin/shares": {
    get: { summary: "Every link, folder share and album share on the box (administrator)", responses: { "200": { description: "OK" }, ...refused } },
  },
};
