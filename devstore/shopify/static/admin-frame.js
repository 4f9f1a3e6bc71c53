// The devstore admin's frame page: draws the framed app's navigation in the sidebar, as Shopify's admin
// draws an app's <s-app-nav>. Only messages from the app's origin, sent by the framed page, count.
(function () {
  "use strict";
  var frame = document.querySelector("iframe[data-app-origin]");
  var list = document.getElementById("app-nav");
  if (!frame || !list) return;
  var appOrigin = frame.getAttribute("data-app-origin");
  var adminBase = frame.getAttribute("data-admin-base");

  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var href = typeof item.href === "string" ? item.href : "";
      // App paths only ("/returns"), never another origin; the home link is the app's own entry.
      if (href.charAt(0) !== "/" || href.charAt(1) === "/" || href.charAt(1) === "\\" || item.rel === "home") return;
      var link = document.createElement("a");
      link.href = adminBase + href;
      link.textContent = String(item.label || href);
      if (window.location.pathname === adminBase + href) link.setAttribute("aria-current", "page");
      var entry = document.createElement("li");
      entry.appendChild(link);
      list.appendChild(entry);
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.source === "devstore-app-bridge" && data.type === "nav" && Array.isArray(data.items)) render(data.items);
  });
})();
