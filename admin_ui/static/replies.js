// Canned-reply editor: insert a variable at the cursor, live preview, copy and use.
// Requests go through window.aftercare.fetch (admin.js), which adds the session token.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  if (!form || !window.aftercare) return;
  var output = document.getElementById("preview-output");
  var customer = document.getElementById("preview-customer");
  var lastField = document.getElementById("body");
  var timer = null;

  form.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute("data-insert-target")) lastField = event.target;
  });

  function insert(text) {
    var field = lastField;
    var start = field.selectionStart || 0;
    var end = field.selectionEnd || 0;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    schedulePreview();
  }

  function previewData() {
    var data = new FormData(form);
    data.set("customer_id", customer ? customer.value : "");
    return data;
  }

  function preview() {
    return window.aftercare.fetch(form.dataset.previewUrl, {
      method: "POST", body: previewData(), headers: { Accept: "text/html" },
    }).then(function (response) { return response.text(); })
      .then(function (html) { output.innerHTML = html; });
  }

  function schedulePreview() {
    window.clearTimeout(timer);
    timer = window.setTimeout(preview, 400);
  }

  function use(button, action) {
    var data = new FormData();
    data.set("reply_id", button.dataset.replyId);
    data.set("nonce", button.dataset.nonce + (action === "copy" ? "c" : "u"));
    data.set("customer_id", customer ? customer.value : "");
    data.set("action", action);
    return window.aftercare.fetch("/replies/use", { method: "POST", body: data });
  }

  form.addEventListener("input", schedulePreview);
  if (customer) customer.addEventListener("change", preview);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) return;
    if (button.dataset.variable) {
      insert("{{ " + button.dataset.variable + " }}");
    } else if (button.hasAttribute("data-preview")) {
      preview();
    } else if (button.hasAttribute("data-copy")) {
      preview().then(function () {
        var body = output.querySelector("[data-preview-body]");
        if (!body) return;  // an error is showing: nothing to copy
        return navigator.clipboard.writeText(body.textContent).then(function () {
          button.textContent = "Copied";
          return use(button, "copy");
        });
      });
    } else if (button.hasAttribute("data-use")) {
      if (!customer || !customer.value) { output.innerHTML = "<p class=\"field-error\">Choose a customer first.</p>"; return; }
      use(button, "use").then(function (response) {
        var next = response.headers.get("X-Aftercare-Location");
        if (!next) return;
        // A link click lets admin.js add the session token and carried parameters.
        var link = document.createElement("a");
        link.href = next;
        document.body.appendChild(link);
        link.click();
      });
    }
  });
})();
