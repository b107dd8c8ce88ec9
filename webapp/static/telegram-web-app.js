/* khoibot's own minimal stand-in for Telegram's telegram-web-app.js: served by the bot, nothing
 * is fetched from telegram.org. It reads the launch data the way Telegram's clients pass it, in
 * the URL's hash (#tgWebAppData=…&tgWebAppThemeParams=…&tgWebAppVersion=…&tgWebAppPlatform=…),
 * and offers the part of window.Telegram.WebApp the pages use. */
(function () {
  "use strict";
  var STORE = "khoibot.tgWebApp";  // keeps the launch data when a reload loses the hash

  function hashParams() {
    var hash = window.location.hash.replace(/^#/, "");
    var params = new URLSearchParams(hash);
    if (params.has("tgWebAppData")) {
      try { window.sessionStorage.setItem(STORE, hash); } catch (e) { /* storage may be off */ }
      return params;
    }
    try { return new URLSearchParams(window.sessionStorage.getItem(STORE) || ""); } catch (e) {
      return params;
    }
  }

  function parseJson(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }

  // initData is a query string; user, receiver and chat are JSON in it, auth_date a number.
  function parseInitData(raw) {
    var data = {};
    new URLSearchParams(raw).forEach(function (value, key) {
      if (key === "user" || key === "receiver" || key === "chat") data[key] = parseJson(value, null);
      else if (key === "auth_date" || key === "can_send_after") data[key] = parseInt(value, 10);
      else data[key] = value;
    });
    return data;
  }

  // Telegram's rule: a background darker than this brightness is a dark theme.
  function isDark(color) {
    var m = /^#?([0-9a-f]{6})$/i.exec(color || "");
    if (!m) return false;
    var n = parseInt(m[1], 16), r = n >> 16, g = (n >> 8) & 255, b = n & 255;
    return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
  }

  function postEvent(name, data) {
    var payload = data === undefined ? "" : JSON.stringify(data);
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(name, payload);
    } else if (window.parent !== window) {  // Telegram Web runs the app in an iframe
      window.parent.postMessage(JSON.stringify({eventType: name, eventData: data}), "*");
    }
  }

  var params = hashParams();
  var handlers = {};
  var webApp = {
    initData: params.get("tgWebAppData") || "",
    initDataUnsafe: {},
    themeParams: {},
    colorScheme: "light",
    version: params.get("tgWebAppVersion") || "6.0",
    platform: params.get("tgWebAppPlatform") || "unknown",
    isExpanded: false,
    ready: function () { postEvent("web_app_ready"); },
    expand: function () { webApp.isExpanded = true; postEvent("web_app_expand"); },
    close: function () { postEvent("web_app_close"); },
    showAlert: function (message, callback) {
      window.alert(message);
      if (callback) callback();
    },
    onEvent: function (name, handler) { (handlers[name] = handlers[name] || []).push(handler); },
    offEvent: function (name, handler) {
      handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
    },
    HapticFeedback: {
      impactOccurred: function () { return webApp.HapticFeedback; },
      notificationOccurred: function () { return webApp.HapticFeedback; },
      selectionChanged: function () { return webApp.HapticFeedback; }
    }
  };
  webApp.initDataUnsafe = parseInitData(webApp.initData);
  if (!webApp.initDataUnsafe.start_param && params.get("tgWebAppStartParam")) {
    webApp.initDataUnsafe.start_param = params.get("tgWebAppStartParam");
  }

  // --tg-theme-bg-color etc. on <html>, and the scheme the background implies.
  function applyTheme(theme) {
    webApp.themeParams = theme || {};
    var style = document.documentElement.style;
    Object.keys(webApp.themeParams).forEach(function (key) {
      style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), webApp.themeParams[key]);
    });
    webApp.colorScheme = isDark(webApp.themeParams.bg_color) ? "dark" : "light";
    style.setProperty("--tg-color-scheme", webApp.colorScheme);
    document.documentElement.setAttribute("data-color-scheme", webApp.colorScheme);
  }
  applyTheme(parseJson(params.get("tgWebAppThemeParams"), {}));

  // Events from the client: native apps call Telegram.WebView.receiveEvent, Telegram Web posts a message.
  function receiveEvent(name, data) {
    if (name === "theme_changed" && data && data.theme_params) applyTheme(data.theme_params);
    (handlers[name] || []).forEach(function (h) { h.call(webApp, data); });
  }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return;  // only the client embedding the page
    var message = typeof event.data === "string" ? parseJson(event.data, null) : null;
    if (message && message.eventType) receiveEvent(message.eventType, message.eventData);
  });

  window.Telegram = window.Telegram || {};
  window.Telegram.WebApp = webApp;
  window.Telegram.WebView = {receiveEvent: receiveEvent, postEvent: postEvent};
})();
