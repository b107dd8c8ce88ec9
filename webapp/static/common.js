/* What every page shares: its texts (from the template's #texts block), the API call, the
 * error and status areas, the unit choice. Every text shown comes from the server or the
 * template; plain texts go in with textContent. */
(function () {
  "use strict";
  var tg = window.Telegram.WebApp;
  var texts = JSON.parse(document.getElementById("texts").textContent || "{}");
  var api = document.body.dataset.api;

  function byId(id) { return document.getElementById(id); }

  // "Đã chọn {n}/{quota}" with {n: 1, quota: 2}
  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // The first element of a <template id=…> of the page, copied.
  function clone(id) { return byId(id).content.firstElementChild.cloneNode(true); }

  function show(id, on) { byId(id).hidden = !on; }

  function showError(message) {
    var area = byId("error");
    area.textContent = message;
    area.hidden = !message;
    if (message) area.scrollIntoView({block: "nearest"});
  }

  function showStatus(message) { byId("status").textContent = message || ""; }

  function clearMessages() { showError(""); showStatus(""); }

  // POST api/<name>; the answer's JSON, or {ok: false, message: <the page's line>} when the
  // network or the server failed before answering in JSON.
  function call(name, payload) {
    return fetch(api + "/" + name, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Telegram-Init-Data": tg.initData},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (answer && typeof answer.ok === "boolean" && (answer.ok || answer.message)) return answer;
        return {ok: false, message: texts.failed};
      }, function () { return {ok: false, message: texts.failed}; });
    }, function () { return {ok: false, message: texts.network}; });
  }

  // A button that sends: disabled, with the "sending" caption, until the answer comes, so a
  // double click sends once. Returns the answer.
  function sending(button, work) {
    if (button.disabled) return Promise.resolve(null);
    var caption = button.textContent;
    button.disabled = true;
    if (texts.sending) button.textContent = texts.sending;
    return work().then(function (answer) {
      button.disabled = false;
      button.textContent = caption;
      return answer;
    });
  }

  // The #unit-choice <select>, shown when the person represents several units; onPick(unitId).
  function unitChoice(choose, unitId, onPick) {
    var select = byId("unit-choice");
    var several = Array.isArray(choose) && choose.length > 1;
    show("unit-box", several);
    if (!several) return;
    while (select.options.length > 1) select.remove(1);  // the first is the template's prompt
    choose.forEach(function (unit) {
      var option = document.createElement("option");
      option.value = String(unit.unit_id);
      option.textContent = unit.label;
      select.appendChild(option);
    });
    select.value = unitId == null ? "" : String(unitId);
    select.onchange = function () { if (select.value) onPick(parseInt(select.value, 10)); };
  }

  function startParam() { return tg.initDataUnsafe.start_param || ""; }

  tg.ready();
  tg.expand();

  window.Khoi = {
    tg: tg, texts: texts, byId: byId, fmt: fmt, clone: clone, show: show, call: call,
    sending: sending, showError: showError, showStatus: showStatus, clearMessages: clearMessages,
    unitChoice: unitChoice, startParam: startParam
  };
})();
