/* A Direct Link's start parameter names the page: "dk…" registration, "bp…" ballot,
 * "tt-<bloc id>" the status board. The hash (Telegram's launch data) goes along. */
(function () {
  "use strict";
  var K = window.Khoi, param = K.startParam(), page = null;
  if (param === "dk" || param.indexOf("dk-") === 0) page = "dangky";
  else if (param === "bp" || param.indexOf("bp-") === 0) page = "bophieu";
  else if (/^tt-\d+$/.test(param)) page = "tinhhinh";
  if (page) window.location.replace(document.body.dataset.base + "/" + page + window.location.hash);
  else K.show("nowhere", true);
})();
