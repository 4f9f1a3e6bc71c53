// Every request carries a fresh session token from App Bridge (shopify.idToken()): navigations and
// form posts as ?id_token=, fetches as Authorization: Bearer. No third-party cookies.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var carried = ["shop", "host", "embedded", "locale"];

  function idToken() {
    if (window.shopify && typeof window.shopify.idToken === "function") {
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
    if (!sameOrigin(form.action)) return;
    event.preventDefault();
    var method = (form.getAttribute("method") || "get").toUpperCase();
    idToken().then(function (token) {
      if (method === "GET") {
        var url = new URL(form.action, window.location.href);
        new FormData(form).forEach(function (value, name) { url.searchParams.set(name, value); });
        window.location.assign(withToken(url.toString(), token));
        return;
      }
      return window.fetch(withToken(form.action, ""), {
        method: method,
        body: new FormData(form),
        headers: { Authorization: "Bearer " + token, Accept: "text/html" },
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
        var headers = new Headers(options.headers || {});
        if (token) headers.set("Authorization", "Bearer " + token);
        return window.fetch(withToken(href, ""), Object.assign({}, options, { headers: headers }));
      });
    },
  };
})();
