// Drive's page (views/drive/DrivePage.tsx): the listing, the viewer and the page's Alpine component, one module each.
import "./drive/viewer.js";
import "./drive/listing.js";
import "./drive/component.js";
