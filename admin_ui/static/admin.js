// Every request carries a fresh session token from App Bridge (shopify.idToken()): navigations and
// form posts as ?id_token=, fetches as Authorization: Bearer. No third-party cookies.
// In the BigCommerce control panel there is no App Bridge: the page's URL carries the session's
// CSRF token (bc_csrf) and, where third-party cookies are blocked, its session token (bc_session);
// both ride along on links and go as headers on posts (app/auth/bigcommerce_session.py).
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var carried = ["shop", "host", "embedded", "locale", "bc_csrf", "bc_session"];
  var bigcommerce = params.has("bc_csrf");

  function idToken() {
    if (!bigcommerce && window.shopify && typeof window.shopify.idToken === "function") {
      return window.shopify.idToken();
    }
    return Promise.resolve(params.get("id_token") || "");
  }

  function withToken(href, token) {
    var url = new URL(href, window.location.href);
    carried.forEach(function (name) {
      if (params.get(name) && !url.searchParams.has(name)) url.searchParams.set(name, params.get(name));
    });
    if (token) url.searchParams.set("id_token", token);
    return url.toString();
  }

  function sessionHeaders(headers, token) {
    if (token) headers.set("Authorization", "Bearer " + token);
    if (params.get("bc_csrf")) headers.set("X-Aftercare-CSRF", params.get("bc_csrf"));
    if (params.get("bc_session")) headers.set("X-Aftercare-Session", params.get("bc_session"));
    return headers;
  }

  function sameOrigin(href) {
    try { return new URL(href, window.location.href).origin === window.location.origin; }
    catch (e) { return false; }
  }

  if (window.shopify) document.documentElement.classList.add("app-bridge");

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || !sameOrigin(link.href)) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    idToken().then(function (token) { window.location.assign(withToken(link.href, token)); });
  });

  // GET forms (search, filters) navigate; POST forms go by fetch with the Bearer token (a form post
  // cannot carry an Authorization header). The server answers a successful post with
  // X-Aftercare-Location (where to go next) and a failed one with the form re-rendered.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // getAttribute, not form.action: a control named "action" (the refund form's buttons) shadows it.
    var action = new URL(form.getAttribute("action") || "", window.location.href).toString();
    if (!sameOrigin(action)) return;
    event.preventDefault();
    var method = (form.getAttribute("method") || "get").toUpperCase();
    idToken().then(function (token) {
      if (method === "GET") {
        var url = new URL(action);
        new FormData(form).forEach(function (value, name) { url.searchParams.set(name, value); });
        window.location.assign(withToken(url.toString(), token));
        return;
      }
      return window.fetch(withToken(action, ""), {
        method: method,
        body: new FormData(form),
        headers: sessionHeaders(new Headers({ Accept: "text/html" }), token),
      }).then(function (response) {
        var next = response.headers.get("X-Aftercare-Location");
        if (next) {
          return idToken().then(function (fresh) { window.location.assign(withToken(next, fresh)); });
        }
        return response.text().then(function (html) {
          document.open();
          document.write(html);
          document.close();
        });
      });
    });
  });

  window.aftercare = {
    fetch: function (href, options) {
      options = options || {};
      return idToken().then(function (token) {
        var headers = sessionHeaders(new Headers(options.headers || {}), token);
        return window.fetch(withToken(href, ""), Object.assign({}, options, { headers: headers }));
      });
    },
  };
})();
