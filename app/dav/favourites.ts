// Nextcloud's favourites, which are Drive's stars: PROPPATCH oc:favorite stars an item (the policy's file.star: the
// owner's), and REPORT oc:filter-files lists the starred items below the folder asked (Nextcloud's apps show a
// "Favourites" view with it). Any other rule (system tags) matches nothing here, as there are none.
import type { DriveService } from "../drive/service";
import { AppError } from "../platform/errors";
import { type DavCall, davCondition, multistatusResponse } from "./http";
import { multistatusPages, parsePropfind, planFor } from "./props";
import type { DavService, Space } from "./service";
import { Node } from "./tree";
import { DAV_NS, OC_NS, child, elements, readXmlBody, textOf } from "./xml";

/** An `oc:favorite` value set by PROPPATCH (removing it is "0"): true or false, or null for anything else (refused). */
export function favouriteValue(value: string | null): boolean | null {
  const v = value === null ? "0" : value.trim();
  return v === "1" ? true : v === "0" ? false : null;
}

export function createFavourites(deps: { dav: DavService; drive: DriveService }) {
  const { dav, drive } = deps;

  /** The person's starred items below `node`, each reached by its path from the root. */
  function starredBelow(space: Space, node: Node): Node[] {
    const out: Node[] = [];
    for (const item of drive.starred(space.user)) {
      const path = drive.breadcrumbs(space.user, item.id);
      const at = path.findIndex((a) => a.id === node.item.id);
      if (at < 0 || item.id === node.item.id) continue;
      let reached = node;
      for (const a of path.slice(at + 1)) reached = new Node(a, reached, a.name, false);
      out.push(reached);
    }
    return out;
  }

  return {
    /** REPORT oc:filter-files: the items below this folder that match every rule. */
    async REPORT(call: DavCall) {
      const body = await readXmlBody(call.request);
      if (!body || body.ns !== OC_NS || body.name !== "filter-files")
        throw davCondition(403, "Only Nextcloud's oc:filter-files report is supported.", "<d:supported-report/>");
      const rules = child(body, OC_NS, "filter-rules");
      if (!rules) throw new AppError(400, "The filter-files report needs an oc:filter-rules element.");
      const prop = child(body, DAV_NS, "prop");
      const want = parsePropfind(prop ? { ns: DAV_NS, name: "propfind", attrs: [], children: [prop] } : null);
      const node = dav.resolve(call.space, call.names).node;
      if (!node) throw new AppError(404, "This item does not exist.");
      const all = elements(rules);
      const favourites = all.length > 0 && all.every((r) => r.ns === OC_NS && r.name === "favorite" && textOf(r).trim() === "1");
      return multistatusResponse(multistatusPages(call.space, dav, [favourites ? starredBelow(call.space, node) : []], planFor(want)));
    },
  };
}
