/* Tình hình: the bloc's board, read only. The bloc comes from the link's "tt-<id>". */
(function () {
  "use strict";
  var K = window.Khoi, match = /^tt-(\d+)$/.exec(K.startParam());
  K.call("status/state", {bloc_id: match ? parseInt(match[1], 10) : null}).then(function (answer) {
    K.show("loading", false);
    if (!answer.ok) { K.showError(answer.message); return; }
    K.byId("heading").textContent = answer.heading_text;
    K.byId("board").innerHTML = answer.board_html;  // the one HTML field: built by the server from escaped values
    K.show("board", true);
  });
})();
