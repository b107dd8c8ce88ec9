/* Bỏ phiếu kín: ballot/state gives the lines and their candidates; ticking stops at each line's
 * quota; «Xem lại» lists the choices; «Xác nhận bỏ phiếu» sends ballot/submit once, after which
 * only the server's message stays on the page. */
(function () {
  "use strict";
  var K = window.Khoi, T = K.texts, $ = K.byId;
  var form = $("form");
  var state = null;

  function view(name) {  // "form", "review", "done", or "" (only the overview)
    K.show("form", name === "form");
    K.show("review", name === "review");
    K.show("done", name === "done");
  }

  function boxes(line) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="line-' + line.code + '"]'));
  }

  // At the quota the line's other boxes are disabled; below it, every allowed one is enabled.
  function enforce(line, fieldset) {
    var all = boxes(line);
    var ticked = all.filter(function (box) { return box.checked; }).length;
    var full = ticked >= line.quota;
    all.forEach(function (box) {
      box.disabled = !box.checked && (full || box.dataset.allowed !== "1");
    });
    var counter = fieldset.querySelector(".counter");
    counter.textContent = K.fmt(T.picked, {n: ticked, quota: line.quota});
    counter.classList.toggle("full", full);
  }

  function render(s) {
    state = s;
    K.show("loading", false);
    K.unitChoice(s.choose, s.unit_id, load);
    if (s.unit_id == null) {
      K.show("overview", false);
      view("");
      return;
    }
    $("heading").textContent = s.heading_text;
    $("bloc").textContent = s.bloc_name;
    $("deadline").textContent = s.deadline_text || "";
    $("secrecy").textContent = s.secrecy_text || "";
    K.show("overview", true);
    var lines = $("lines");
    lines.replaceChildren();
    if (!s.can_vote) {
      $("done").textContent = s.message;
      view("done");
      return;
    }
    s.lines.forEach(function (line) {
      var fieldset = K.clone("tpl-line");
      fieldset.querySelector("legend").textContent = line.name;
      fieldset.querySelector(".quota").textContent = line.quota_text;
      var list = fieldset.querySelector(".candidates");
      line.candidates.forEach(function (candidate) {
        var row = K.clone("tpl-check"), box = row.querySelector("input");
        box.name = "line-" + line.code;
        box.value = String(candidate.id);
        box.dataset.allowed = candidate.allowed ? "1" : "0";
        row.querySelector("span").textContent = candidate.name;
        list.appendChild(row);
      });
      fieldset.addEventListener("change", function () { enforce(line, fieldset); });
      lines.appendChild(fieldset);
      enforce(line, fieldset);
    });
    view("form");
  }

  function load(unitId) {
    K.clearMessages();
    return K.call("ballot/state", {unit_id: unitId}).then(function (answer) {
      if (answer.ok) render(answer);
      else { K.show("loading", false); K.showError(answer.message); }
    });
  }

  function choices() {
    var chosen = {};
    state.lines.forEach(function (line) {
      chosen[line.code] = boxes(line).filter(function (box) { return box.checked; })
        .map(function (box) { return parseInt(box.value, 10); });
    });
    return chosen;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    K.clearMessages();
    var chosen = choices(), review = $("review-lines");
    review.replaceChildren();
    state.lines.forEach(function (line) {
      var block = K.clone("tpl-review-line"), list = block.querySelector("ul");
      block.querySelector("h3").textContent = line.name;
      var names = line.candidates.filter(function (c) { return chosen[line.code].indexOf(c.id) >= 0; })
        .map(function (c) { return c.name; });
      (names.length ? names : [T.nobody]).forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = name;
        list.appendChild(item);
      });
      review.appendChild(block);
    });
    view("review");
    $("review-heading").focus();
  });

  $("back").addEventListener("click", function () { view("form"); });

  $("confirm").addEventListener("click", function () {
    K.clearMessages();
    var payload = {unit_id: state.unit_id, choices: choices()};
    K.sending($("confirm"), function () { return K.call("ballot/submit", payload); }).then(function (answer) {
      if (!answer) return;
      if (!answer.ok) { K.showError(answer.message); view("form"); return; }
      // The ballot is cast: nothing of the choices stays in the page.
      $("lines").replaceChildren();
      $("review-lines").replaceChildren();
      K.show("unit-box", false);
      K.show("overview", false);
      $("done").textContent = answer.message;
      view("done");
      $("done").focus();
    });
  });

  load(null);
})();
