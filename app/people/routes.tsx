import { Elysia, t } from "elysia";
import type { AccessControl } from "../platform/http/access";
import type { MediaService } from "../media/service";
import { PeoplePage, PersonPage } from "../../views/people/PeoplePage";
import type { SignedInPage } from "../../views/layout";
import type { PeopleService } from "./service";

type Deps = { access: AccessControl; people: PeopleService; media: MediaService };
const Form = t.Object({ _csrf: t.Optional(t.String()) });
const Person = t.Object({ id: t.String({ maxLength: 64 }) });
const PersonFace = t.Object({ id: t.String({ maxLength: 64 }), faceId: t.Numeric() });

/** The People page, a person's page and their changes (forms that redirect back), and the face crops. */
export function peopleRoutes(deps: Deps) {
  const { people } = deps;
  const shell = (page: SignedInPage) => ({ page, progress: deps.media.progressFor(page.user) });
  const back = (id: string) => `/photos/people/${encodeURIComponent(id)}`;
  return new Elysia({ prefix: "/photos/people" })
    .use(deps.access)
    .get(
      "/",
      ({ user, page, query }) => {
        const hidden = query.hidden === "1";
        return <PeoplePage {...shell(page)} people={people.list(user, hidden)} hidden={hidden} status={people.status(user)} />;
      },
      { auth: "user", query: t.Object({ hidden: t.Optional(t.String({ maxLength: 1 })) }) },
    )
    .get(
      "/faces/:faceId",
      ({ user, params }) =>
        new Response(Bun.file(people.crop(user, params.faceId)), {
          headers: { "content-type": "image/webp", "cache-control": "private, max-age=3600", "x-content-type-options": "nosniff" },
        }),
      { auth: "user", params: t.Object({ faceId: t.Numeric() }) },
    )
    .post(
      "/settings",
      ({ body, redirect }) => {
        people.setEnabled(body.on === "1");
        return redirect("/photos/people", 303);
      },
      {
        auth: "admin",
        audit: { kind: "settings", did: "turned People (faces and things) on or off" },
        body: t.Object({ on: t.String({ maxLength: 1 }), _csrf: t.Optional(t.String()) }),
      },
    )
    .post("/forget-me", ({ user, redirect }) => (people.forgetMe(user), redirect("/photos/people", 303)), {
      auth: "user",
      audit: { kind: "files", did: "had People forget their faces and things" },
      body: Form,
    })
    .post("/include-me", ({ user, redirect }) => (people.includeMe(user), redirect("/photos/people", 303)), {
      auth: "user",
      audit: { kind: "files", did: "let People look at their photos again" },
      body: Form,
    })
    .get("/:id", ({ user, page, params }) => <PersonPage {...shell(page)} person={people.person(user, params.id)} />, {
      auth: "user",
      params: Person,
    })
    .post("/:id/name", ({ user, params, body, redirect }) => (people.rename(user, params.id, body.name), redirect(back(params.id), 303)), {
      auth: "user",
      audit: { kind: "files", did: "named a person" },
      params: Person,
      body: t.Object({ name: t.String({ maxLength: 1000 }), _csrf: t.Optional(t.String()) }),
    })
    .post("/:id/merge", ({ user, params, body, redirect }) => (people.merge(user, params.id, body.into), redirect(back(body.into), 303)), {
      auth: "user",
      audit: { kind: "files", did: "merged two people" },
      params: Person,
      body: t.Object({ into: t.String({ maxLength: 64 }), _csrf: t.Optional(t.String()) }),
    })
    .post("/:id/hide", ({ user, params, body, redirect }) => (people.setHidden(user, params.id, body.hidden === "1"), redirect("/photos/people", 303)), {
      auth: "user",
      audit: { kind: "files", did: "hid or showed a person" },
      params: Person,
      body: t.Object({ hidden: t.String({ maxLength: 1 }), _csrf: t.Optional(t.String()) }),
    })
    .post(
      "/:id/faces/:faceId/remove",
      ({ user, params, redirect }) => {
        people.removeFace(user, params.id, params.faceId);
        return redirect(people.exists(user, params.id) ? back(params.id) : "/photos/people", 303);
      },
      { auth: "user", audit: { kind: "files", did: "took a face out of a person" }, params: PersonFace, body: Form },
    )
    .post("/:id/faces/:faceId/cover", ({ user, params, redirect }) => (people.setCover(user, params.id, params.faceId), redirect(back(params.id), 303)), {
      auth: "user",
      audit: { kind: "files", did: "chose a person's cover" },
      params: PersonFace,
      body: Form,
    });
}
