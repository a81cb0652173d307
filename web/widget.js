/*
 * Puts the practice's chat widget (rasa-webchat 1.0.1) on a page.
 *
 * Reads the practice's settings from <script type="application/json" id="practice-chat-config">
 * and loads the widget's bundle and styles from the host this file came from, never a CDN.
 * See docs/widget.md for the snippet a practice puts on its own site.
 */
(function () {
  "use strict";

  // Where rasa-webchat keeps the conversation; "session" storage ends with the tab, which is
  // right for a shared computer (local storage would keep it for the next person).
  var STORAGE_KEY = "chat_session";
  var here = new URL(".", document.currentScript.src);
  var block = document.getElementById("practice-chat-config");
  if (!block) {
    console.error("Chat widget: this page has no practice-chat-config block (see docs/widget.md).");
    return;
  }
  var config = JSON.parse(block.textContent);

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + (attributes.src || attributes.href))); };
      document.head.appendChild(element);
    });
  }

  // rasa-webchat's topic buttons are <div>s with a click handler only: give them a role,
  // a place in the tab order and Enter/Space, so the chat works from the keyboard.
  function makeRepliesKeyboardFriendly(root) {
    root.querySelectorAll("div.rw-reply:not([tabindex])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
  }

  document.addEventListener("keydown", function (event) {
    var reply = event.target.closest && event.target.closest("div.rw-reply");
    if (reply && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reply.click();
    }
  });

  function start() {
    var root = document.documentElement;
    root.style.setProperty("--chat-colour", config.colour);
    root.style.setProperty("--chat-text-colour", config.textColour);

    window.WebChat.default({
      socketUrl: config.socketUrl,
      socketPath: "/socket.io/",
      initPayload: "/greet",  // the greeting and its topic buttons when the chat opens
      customData: Object.assign({}, config.customData, { page: window.location.pathname }),
      title: config.title,
      subtitle: config.subtitle,
      inputTextFieldHint: "Type your question…",
      params: { storage: "session" },
      withRules: false,  // Botfront's rules engine: not used with Rasa
      mainColor: config.colour,
      userBackgroundColor: config.colour,
      userTextColor: config.textColour,
      customMessageDelay: function () { return 300; },  // the default waits up to 3 s a bubble
    }, null);

    new MutationObserver(function () { makeRepliesKeyboardFriendly(document); })
      .observe(document.body, { childList: true, subtree: true });
  }

  document.querySelectorAll("[data-chat-clear]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.sessionStorage.removeItem(STORAGE_KEY);
      window.location.reload();
    });
  });

  load("link", { rel: "stylesheet", href: new URL("widget.css", here).href });
  load("script", { src: new URL("vendor/rasa-webchat.js", here).href })
    .then(start)
    .catch(function (error) { console.error("Chat widget:", error.message); });
})();
