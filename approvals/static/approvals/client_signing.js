// Ký số bằng thiết bị: the signer signs with the USB token on their own computer (signing
// mode "client", docs/signing.md). The button's box names the document's endpoint: GET it
// for the data to sign, POST that to the signing service on this computer, POST its
// signature back to the server, which checks and stores the signed original.
// Loaded with the box (Turbo may evaluate it again on each visit): one listener only.
(function () {
  "use strict";
  if (window.vanthuDeviceSigning) return;
  window.vanthuDeviceSigning = true;

  function say(box, text, isError) {
    var status = box.querySelector("[data-testid=device-sign-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("vt-error", !!isError);
    status.setAttribute("data-state", isError ? "error" : "busy");
  }

  function readJson(response) {
    return response.text().then(function (text) {
      var body = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch (ignored) {
        body = {};
      }
      return { ok: response.ok, status: response.status, body: body };
    });
  }

  // A refusal with its message; "whole": said as it is, without the "Không ký được:" head.
  function Refusal(message, whole) {
    this.message = message;
    this.whole = !!whole;
  }

  function sign(box, button) {
    var url = box.getAttribute("data-url");
    var csrf = box.querySelector("input[name=csrfmiddlewaretoken]");
    var msg = function (name) {
      return box.getAttribute("data-msg-" + name) || "";
    };
    button.disabled = true;
    say(box, msg("preparing"));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(readJson)
      .then(function (answer) {
        if (!answer.ok) throw new Refusal(answer.body.error || String(answer.status));
        var request = answer.body;
        say(box, msg("signing"));
        return fetch(request.service_url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            data: request.data,
            digest: request.digest,
            certificate_sha256: request.certificate_sha256,
          }),
        }).then(readJson, function () {
          throw new Refusal(msg("unreachable"), true);
        });
      })
      .then(function (answer) {
        if (!answer.ok || !answer.body.signature) {
          throw new Refusal(msg("refused") + " " + (answer.body.error || answer.status), true);
        }
        say(box, msg("saving"));
        return fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrf ? csrf.value : "",
          },
          body: JSON.stringify({ signature: answer.body.signature }),
        }).then(readJson);
      })
      .then(function (answer) {
        if (!answer.ok) throw new Refusal(answer.body.error || String(answer.status));
        say(box, answer.body.message || "");
        box.setAttribute("data-state", "done");
        var next = answer.body.url || window.location.href;
        if (window.Turbo && window.Turbo.visit) {
          window.Turbo.visit(next, { action: "replace" });
        } else {
          window.location.assign(next);
        }
      })
      .catch(function (error) {
        var whole = error instanceof Refusal && error.whole;
        var text = error instanceof Refusal ? error.message : String(error);
        say(box, whole ? text : msg("failed") + " " + text, true);
        button.disabled = false;
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-testid=device-sign]");
    if (!button) return;
    var box = button.closest("[data-vt-device-sign]");
    if (!box) return;
    event.preventDefault();
    sign(box, button);
  });
})();
