/* Gift pages: small progressive enhancements. Every page works without this file.
 *
 * - [data-counter=<id>] on a textarea: live "n / max" characters in the element <id>;
 * - [data-show-when="name=value"]: shown only while the radio `name` has `value` checked;
 * - [data-copy=<input id>]: copies the input's text (Clipboard API; falls back to selecting it);
 *   the console's webhook secret page uses it too;
 * - [data-share=<input id>]: the Web Share API, shown only where the browser has it;
 * - form[data-once]: its submit buttons are disabled once it is sent (no double gifts on a double tap).
 * - [data-accept-summary] in a form: the line above the sticky Accept button says where the gift goes
 *   (the chosen saved address, or what is typed in the new address) and which option it is.
 */
(function () {
  "use strict";

  function counters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var out = document.getElementById(area.getAttribute("data-counter"));
      var max = parseInt(area.getAttribute("maxlength"), 10) || 200;
      if (!out) return;
      function update() {
        var used = Array.from(area.value).length;
        out.textContent = used + " / " + max;
        out.classList.toggle("over", used > max);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  function conditionals() {
    var blocks = Array.from(document.querySelectorAll("[data-show-when]"));
    if (!blocks.length) return;
    function checkedValue(name) {
      var radio = document.querySelector('input[type=radio][name="' + name + '"]:checked');
      return radio ? radio.value : null;
    }
    function update() {
      blocks.forEach(function (block) {
        var rule = block.getAttribute("data-show-when").split("=");
        var radios = document.querySelectorAll('input[type=radio][name="' + rule[0] + '"]');
        // No radios at all (e.g. no saved address: only a new one): keep the block visible.
        block.hidden = radios.length > 0 && checkedValue(rule[0]) !== rule[1];
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.type === "radio") update();
    });
    update();
  }

  function flash(button, text) {
    var before = button.textContent;
    button.textContent = text;
    setTimeout(function () { button.textContent = before; }, 1800);
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      button.addEventListener("click", function () {
        var done = button.getAttribute("data-done") || "✓";
        function fallback() {
          input.focus();
          input.select();
          input.setSelectionRange(0, input.value.length);
          try {
            if (document.execCommand("copy")) flash(button, done);
          } catch (e) { /* the text stays selected: the person copies it by hand */ }
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(function () { flash(button, done); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function shareButtons() {
    if (typeof navigator.share !== "function") return;
    document.querySelectorAll("[data-share]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-share"));
      if (!input) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({
          title: button.getAttribute("data-share-title") || document.title,
          text: button.getAttribute("data-share-text") || "",
          url: input.value
        }).catch(function () { /* dismissed: nothing to do */ });
      });
    });
  }

  function onceForms() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function () {
        // After this event, so the pressed button's name and value are still sent.
        setTimeout(function () {
          form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // Coming back with the Back button (page cache): the buttons work again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      document.querySelectorAll("form[data-once] [type=submit]").forEach(function (b) { b.disabled = false; });
    });
  }

  function acceptSummaries() {
    document.querySelectorAll("[data-accept-summary]").forEach(function (line) {
      var form = line.closest("form");
      var to = line.querySelector("[data-summary-to]");
      var option = line.querySelector("[data-summary-option]");
      if (!form || !to) return;
      function labelText(input) {
        var label = input && form.querySelector('label[for="' + input.id + '"]');
        return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
      }
      function typed() {
        var parts = ["recipient_name", "street", "district", "city"].map(function (name) {
          var field = form.querySelector('[name="new-' + name + '"]');
          return field ? field.value.trim() : "";
        }).filter(Boolean);
        return parts.length ? parts.join(", ") : to.getAttribute("data-new-text");
      }
      function update() {
        var chosen = form.querySelector('input[type=radio][name="address"]:checked');
        to.textContent = (!chosen || chosen.value === "new") ? typed() : labelText(chosen);
        var variant = form.querySelector('input[type=radio][name="variant"]:checked');
        if (option && variant) option.textContent = labelText(variant);
      }
      form.addEventListener("change", update);
      form.addEventListener("input", update);
      update();
    });
  }

  function start() {
    counters();
    conditionals();
    copyButtons();
    shareButtons();
    onceForms();
    acceptSummaries();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
