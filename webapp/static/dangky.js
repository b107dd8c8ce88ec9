/* Đăng ký thi đua: registration/state fills the form; «Xem lại» shows what will be registered;
 * «Xác nhận» sends registration/submit once; «Rút đăng ký» asks, then registration/withdraw. */
(function () {
  "use strict";
  var K = window.Khoi, T = K.texts, $ = K.byId;
  var form = $("form");
  var state = null;    // the last registration/state answer shown
  var pending = null;  // the payload the review shows, sent on «Xác nhận»

  function view(name) {  // "form", "review", "withdraw-box", or "" (only the overview)
    K.show("form", name === "form");
    K.show("review", name === "review");
    K.show("withdraw-box", name === "withdraw-box");
  }

  function fillList(list, lines, empty) {
    list.replaceChildren();
    (lines.length ? lines : [empty]).forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
  }

  function render(s) {
    state = s;
    K.show("loading", false);
    K.unitChoice(s.choose, s.unit_id, load);
    if (s.unit_id == null) {  // several units and none chosen yet: only the choice
      K.show("overview", false);
      view("");
      return;
    }
    $("heading").textContent = s.heading_text;
    $("bloc").textContent = s.bloc_name;
    $("window").textContent = s.window_text;
    $("current").textContent = s.current_text;
    var quotas = s.quotas_text || [];
    K.show("quotas-box", quotas.length > 0);
    fillList($("quotas"), quotas, "");
    K.show("overview", true);

    var collective = $("collective");
    collective.replaceChildren();
    s.collective.forEach(function (title) {
      var row = K.clone("tpl-check"), box = row.querySelector("input");
      box.name = "collective";
      box.value = title.code;
      box.checked = title.chosen;
      row.querySelector("span").textContent = title.name;
      collective.appendChild(row);
    });
    K.show("collective-box", s.collective.length > 0);

    var individual = $("individual");
    individual.replaceChildren();
    s.individual.forEach(function (title) {
      var block = K.clone("tpl-individual");
      block.querySelector("legend").textContent = title.name;
      var count = block.querySelector("input"), names = block.querySelector("textarea");
      count.name = "count-" + title.code;
      count.max = String(s.limits.people);
      count.value = String(title.count);
      names.name = "names-" + title.code;
      names.value = (title.names || []).join("\n");
      individual.appendChild(block);
    });
    K.show("individual-box", s.individual.length > 0);

    var targets = form.elements.targets;
    targets.value = s.targets || "";
    targets.maxLength = s.limits.targets;

    Array.prototype.forEach.call(form.querySelectorAll("input, textarea"), function (field) {
      field.disabled = !s.open;
    });
    K.show("submit", s.open);
    K.show("withdraw", s.open && s.registered);
    view("form");
  }

  function load(unitId) {
    K.clearMessages();
    return K.call("registration/state", {unit_id: unitId}).then(function (answer) {
      if (answer.ok) render(answer);
      else { K.show("loading", false); K.showError(answer.message); }
    });
  }

  // The form as the API's payload, or a sentence saying what to correct.
  function collect() {
    var limits = state.limits, individual = {}, problem = null;
    state.individual.forEach(function (title) {
      if (problem) return;
      var raw = form.elements["count-" + title.code].value.trim();
      var count = raw === "" ? 0 : Number(raw);
      var names = form.elements["names-" + title.code].value.split("\n")
        .map(function (name) { return name.trim().replace(/\s+/g, " "); })
        .filter(function (name) { return name !== ""; });
      if (!Number.isInteger(count) || count < 0 || count > limits.people) {
        problem = K.fmt(T.bad_count, {title: title.name, max: limits.people});
      } else if (names.length > count) {
        problem = K.fmt(T.too_many_names, {title: title.name, names: names.length, count: count});
      } else if (names.some(function (name) { return name.length > limits.name; })) {
        problem = K.fmt(T.long_name, {title: title.name, max: limits.name});
      }
      individual[title.code] = {count: count, names: names};
    });
    var targets = form.elements.targets.value.trim();
    if (!problem && targets.length > limits.targets) problem = K.fmt(T.long_targets, {max: limits.targets});
    if (problem) return {problem: problem};
    var collective = Array.prototype.map.call(
      form.querySelectorAll('input[name="collective"]:checked'), function (box) { return box.value; });
    return {payload: {unit_id: state.unit_id, based_on: state.based_on, collective: collective,
                      individual: individual, targets: targets}};
  }

  function showReview(payload) {
    var names = {};
    state.collective.concat(state.individual).forEach(function (t) { names[t.code] = t.name; });
    fillList($("review-collective"), payload.collective.map(function (code) { return names[code]; }),
             T.none_collective);
    var people = [];
    state.individual.forEach(function (title) {
      var entry = payload.individual[title.code];
      if (!entry.count) return;
      var values = {title: title.name, count: entry.count, names: entry.names.join(", ")};
      people.push(K.fmt(entry.names.length ? T.individual_names : T.individual_line, values));
    });
    fillList($("review-individual"), people, T.none_individual);
    $("review-targets").textContent = payload.targets || T.none_targets;
    view("review");
    $("review-heading").focus();
  }

  // An answer to submit or withdraw: the message, and the state it brings.
  function answered(answer) {
    if (!answer) return;
    if (answer.ok) {
      K.showStatus(answer.message);
      render(answer.state);
    } else {
      if (answer.state) render(answer.state);  // e.g. changed meanwhile: what counts now
      else view("form");
      K.showError(answer.message);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    K.clearMessages();
    var result = collect();
    if (result.problem) { K.showError(result.problem); return; }
    pending = result.payload;
    showReview(pending);
  });

  $("back").addEventListener("click", function () { view("form"); });

  $("confirm").addEventListener("click", function () {
    K.clearMessages();
    K.sending($("confirm"), function () { return K.call("registration/submit", pending); }).then(answered);
  });

  $("withdraw").addEventListener("click", function () {
    K.clearMessages();
    view("withdraw-box");
    $("withdraw-heading").focus();
  });

  $("withdraw-cancel").addEventListener("click", function () { view("form"); });

  $("withdraw-confirm").addEventListener("click", function () {
    K.clearMessages();
    K.sending($("withdraw-confirm"), function () {
      return K.call("registration/withdraw", {unit_id: state.unit_id, based_on: state.based_on});
    }).then(answered);
  });

  load(null);
})();
