/* Site search with Pagefind: an enhancement only.
   Without JavaScript the #search element stays empty and hidden. The site
   root is found from this script's own address, so search works at a
   domain root and under a project sub-path alike. */
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
  var ui = document.createElement("script");
  ui.src = bundle + "pagefind-ui.js";
  ui.onload = function () {
    /* global PagefindUI */
    new PagefindUI({
      element: "#search",
      bundlePath: bundle,
      baseUrl: root.pathname,
      showImages: false,
      showSubResults: true,
      resetStyles: false
    });
  };
  document.head.appendChild(ui);
})();
