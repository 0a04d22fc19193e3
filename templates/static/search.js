/* Site search with Pagefind: an enhancement only.
   Without JavaScript the #search element stays empty and hidden. The site
   root is found from this script's own address, so search works at a
   domain root and under a project sub-path alike. A large archive is
   indexed in several bundles: pagefind/bundles.json lists the ones to
   merge into the first (generator/search.py). */
(function () {
  "use strict";
  var script = document.currentScript;
  var box = document.getElementById("search");
  if (!script || !box || location.protocol === "file:") return;
  var root = new URL("../", script.src);
  var bundle = new URL("pagefind/", root).href;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  document.head.appendChild(css);
  var merged = fetch(bundle + "bundles.json")
    .then(function (response) { return response.ok ? response.json() : { merge: [] }; })
    .then(function (manifest) { return manifest.merge || []; })
    .catch(function () { return []; });
  var ui = document.createElement("script");
  ui.src = bundle + "pagefind-ui.js";
  ui.onload = function () {
    merged.then(function (folders) {
      /* global PagefindUI */
      new PagefindUI({
        element: "#search",
        bundlePath: bundle,
        baseUrl: root.pathname,
        mergeIndex: folders.map(function (folder) {
          return { bundlePath: new URL(folder, bundle).href, baseUrl: root.pathname };
        }),
        showImages: false,
        showSubResults: true,
        resetStyles: false
      });
    });
  };
  document.head.appendChild(ui);
})();
