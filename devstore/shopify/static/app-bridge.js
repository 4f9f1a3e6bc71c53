// The devstore's stand-in for Shopify App Bridge (https://cdn.shopify.com/shopifycloud/app-bridge.js).
//
// Loaded by the app's pages inside the devstore admin's iframe, on the app's own origin. It gives the
// page the `shopify` global the app uses: idToken() (fresh session tokens, fetched from the devstore
// over CORS and cached until shortly before they expire), toast.show(), loading(), and no-ops for the
// rest. Like App Bridge it adds the session token to the page's own fetches that carry none, hides
// <s-app-nav>/<ui-nav-menu> and reports their links to the admin, which shows them in its sidebar.
(function () {
  "use strict";
  if (window.shopify && window.shopify.devstore) return;

  var script = document.currentScript;
  var source = new URL(script ? script.src : "/shopify/app-bridge.js", window.location.href);
  // Everything before /shopify/app-bridge.js: the devstore's base URL.
  var platform = source.origin + source.pathname.replace(/\/shopify\/app-bridge\.js$/, "");
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var apiKey = meta ? meta.getAttribute("content") || "" : "";
  var params = new URLSearchParams(window.location.search);
  var originalFetch = window.fetch.bind(window);
  var REFRESH_MARGIN_S = 10;

  function base64UrlDecode(text) {
    var padded = text.replace(/-/g, "+").replace(/_/g, "/");
    while (padded.length % 4) padded += "=";
    return window.atob(padded);
  }

  function claimsOf(token) {
    try { return JSON.parse(base64UrlDecode(String(token).split(".")[1])); } catch (e) { return {}; }
  }

  function shopFromToken(token) {
    if (!token) return null;
    try { return new URL(claimsOf(token).dest).hostname; } catch (e) { return null; }
  }

  function shopFromHost(host) {
    // host is base64url of "admin.shopify.com/store/{name}" (or "{shop}/admin").
    if (!host) return null;
    try {
      var decoded = base64UrlDecode(host);
      var store = decoded.match(/^admin\.shopify\.com\/store\/([a-z0-9][a-z0-9-]*)$/);
      if (store) return store[1] + ".myshopify.com";
      var admin = decoded.match(/^([a-z0-9][a-z0-9-]*\.myshopify\.com)\/admin$/);
      return admin ? admin[1] : null;
    } catch (e) { return null; }
  }

  function rememberedShop() {
    try { return window.sessionStorage.getItem("devstore-app-bridge-shop"); } catch (e) { return null; }
  }

  var shop = params.get("shop") || shopFromToken(params.get("id_token")) || shopFromHost(params.get("host")) ||
    rememberedShop();
  if (shop) {
    try { window.sessionStorage.setItem("devstore-app-bridge-shop", shop); } catch (e) { /* private mode */ }
  }

  var cached = null;
  var pending = null;

  function idToken() {
    if (!shop) return Promise.reject(new Error("App Bridge (devstore): no shop in this page's URL"));
    var now = Date.now() / 1000;
    if (cached && cached.exp - REFRESH_MARGIN_S > now) return Promise.resolve(cached.token);
    if (pending) return pending;
    var url = platform + "/shopify/" + encodeURIComponent(shop) + "/admin/session-token?client_id=" +
      encodeURIComponent(apiKey);
    pending = originalFetch(url, { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("App Bridge (devstore): session token refused (" + response.status + ")");
        return response.json();
      })
      .then(function (data) {
        cached = { token: data.id_token, exp: claimsOf(data.id_token).exp || now + 60 };
        pending = null;
        return data.id_token;
      }, function (error) {
        pending = null;
        throw error;
      });
    return pending;
  }

  // The page's own requests carry the session token, as App Bridge's fetch does.
  window.fetch = function (input, init) {
    var request;
    try { request = new Request(input, init); } catch (e) { return originalFetch(input, init); }
    if (new URL(request.url).origin !== window.location.origin || request.headers.has("Authorization")) {
      return originalFetch(request);
    }
    return idToken().then(function (token) {
      var headers = new Headers(request.headers);
      headers.set("Authorization", "Bearer " + token);
      return originalFetch(new Request(request, { headers: headers }));
    });
  };

  function whenBody(callback) {
    if (document.body) callback();
    else document.addEventListener("DOMContentLoaded", callback);
  }

  function styled(element, styles) {
    Object.keys(styles).forEach(function (name) { element.style[name] = styles[name]; });
    return element;
  }

  var toastTimer = null;
  function showToast(message, options) {
    options = options || {};
    whenBody(function () {
      var toast = document.getElementById("devstore-app-bridge-toast");
      if (!toast) {
        toast = styled(document.createElement("div"), {
          position: "fixed", left: "50%", bottom: "24px", transform: "translateX(-50%)", zIndex: "2147483647",
          padding: "10px 16px", borderRadius: "10px", color: "#fff", font: "500 14px/1.4 system-ui, sans-serif",
          boxShadow: "0 4px 16px rgba(0,0,0,.25)", maxWidth: "80vw",
        });
        toast.id = "devstore-app-bridge-toast";
        toast.setAttribute("role", "status");
        toast.setAttribute("aria-live", "polite");
        document.body.appendChild(toast);
      }
      toast.textContent = String(message);
      toast.style.background = options.isError ? "#8e1f0b" : "#1a1a1a";
      toast.hidden = false;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(function () {
        toast.hidden = true;
        if (typeof options.onDismiss === "function") options.onDismiss();
      }, options.duration || 5000);
    });
    return "devstore-toast";
  }

  var loadingBar = null;
  function loading(isLoading) {
    whenBody(function () {
      if (!loadingBar) {
        loadingBar = styled(document.createElement("div"), {
          position: "fixed", top: "0", left: "0", height: "3px", width: "100%", zIndex: "2147483647",
          background: "linear-gradient(90deg, #303030, #8a8a8a)",
        });
        loadingBar.id = "devstore-app-bridge-loading";
        loadingBar.setAttribute("role", "progressbar");
        document.body.appendChild(loadingBar);
      }
      loadingBar.hidden = isLoading === false;
    });
  }

  // <s-app-nav> (and the older <ui-nav-menu>) is drawn by the admin, not in the app's page.
  function reportNavigation(menu) {
    var items = Array.prototype.map.call(menu.querySelectorAll("a[href], s-link[href]"), function (link) {
      return { label: link.textContent.trim(), href: link.getAttribute("href"), rel: link.getAttribute("rel") };
    });
    if (window.parent !== window) {
      window.parent.postMessage({ source: "devstore-app-bridge", type: "nav", items: items }, source.origin);
    }
  }

  function whenParsed(callback) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback, { once: true });
    else callback();
  }

  function adminDrawn(name) {
    if (!window.customElements || window.customElements.get(name)) return;
    window.customElements.define(name, class extends HTMLElement {
      connectedCallback() {
        this.style.display = "none";
        var menu = this;
        // Connected when its opening tag is parsed, before its links are: read them once the
        // document is parsed.
        if (name === "s-app-nav" || name === "ui-nav-menu") whenParsed(function () { reportNavigation(menu); });
      }
    });
  }
  ["s-app-nav", "ui-nav-menu", "ui-title-bar", "ui-save-bar", "ui-modal"].forEach(adminDrawn);

  var resolved = function () { return Promise.resolve(); };
  var overlay = { show: resolved, hide: resolved, toggle: resolved };

  window.shopify = {
    devstore: true,
    config: { apiKey: apiKey, shop: shop, host: params.get("host"), locale: params.get("locale") || "en" },
    environment: { embedded: window.top !== window, mobile: false, pos: false },
    origin: source.origin,
    ready: Promise.resolve(),
    idToken: idToken,
    toast: { show: showToast, hide: function () { whenBody(function () {
      var toast = document.getElementById("devstore-app-bridge-toast");
      if (toast) toast.hidden = true;
    }); } },
    loading: loading,
    modal: overlay,
    saveBar: { show: resolved, hide: resolved, toggle: resolved, leaveConfirmation: resolved },
    resourcePicker: function () { return Promise.resolve(undefined); },
    user: function () { return Promise.resolve({}); },
    webVitals: { onReport: function () {} },
  };
})();
