/*
 * The practice's chat widget: a small accessible chat over Rasa's socket.io channel.
 *
 * Reads the practice's settings from <script type="application/json" id="practice-chat-config">,
 * loads its styles and socket.io-client from the host this file came from (never a CDN), and
 * talks to bot/channels/widget.py. See docs/widget.md for the snippet a practice puts on its site,
 * the protocol and the accessibility choices.
 */
(function () {
  "use strict";

  // The conversation lives in this tab's session storage: a reload keeps it, closing the tab
  // ends it, and the next person on a shared computer does not see it.
  var STORAGE_KEY = "chat_session";
  var SMALL_SCREEN = "(max-width: 40rem), (max-height: 32rem)";  // full screen: a modal dialog
  var here = new URL(".", document.currentScript.src);
  var block = document.getElementById("practice-chat-config");
  if (!block) {
    console.error("Chat widget: this page has no practice-chat-config block (see docs/widget.md).");
    return;
  }
  var config = JSON.parse(block.textContent);
  var uid = 0;

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes.text;
      else if (attributes[name] !== null && attributes[name] !== undefined) node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function id(name) { uid += 1; return "chat-" + name + "-" + uid; }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var node = el(tag, attributes);
      node.onload = resolve;
      node.onerror = function () { reject(new Error("could not load " + (attributes.src || attributes.href))); };
      document.head.appendChild(node);
    });
  }

  // --- the stored conversation --------------------------------------------------------------

  function readState() {
    try {
      var state = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY));
      if (state && Array.isArray(state.messages)) return state;
    } catch (ignored) { /* a damaged copy: start again */ }
    return { messages: [], open: false };
  }

  var state = readState();
  function save() { window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state)); }

  // --- the page structure -------------------------------------------------------------------

  var titleId = id("title");
  var menuId = id("menu");
  var inputId = id("input");
  var panelId = id("panel");

  var launcher = el("button", {
    type: "button", "class": "chat-launcher", "aria-expanded": "false", "aria-controls": panelId,
    "aria-label": "Chat with our assistant",
  });
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  var closeButton = el("button", { type: "button", "class": "chat-icon-button chat-close", "aria-label": "Close chat" });
  closeButton.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">' +
    '<path fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" d="M6 6l12 12M18 6L6 18"/></svg>';
  var menuButton = el("button", {
    type: "button", "class": "chat-icon-button chat-menu-button", "aria-expanded": "false", "aria-controls": menuId,
    "aria-label": "Conversation options",
  });
  menuButton.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">' +
    '<circle cx="12" cy="5" r="2" fill="currentColor"/><circle cx="12" cy="12" r="2" fill="currentColor"/>' +
    '<circle cx="12" cy="19" r="2" fill="currentColor"/></svg>';

  var downloadButton = el("button", { type: "button", "class": "chat-menu-item", text: "Download this conversation" });
  var clearButton = el("button", { type: "button", "class": "chat-menu-item", text: "Clear conversation" });
  var callbackButton = config.callbacks ? el("button", { type: "button", "class": "chat-menu-item", text: "Request a callback" }) : null;
  var menu = el("div", { id: menuId, "class": "chat-menu", hidden: "" }, [
    el("ul", { role: "list" }, [
      callbackButton ? el("li", {}, [callbackButton]) : null,
      el("li", {}, [downloadButton]),
      el("li", {}, [clearButton]),
      config.accessibilityUrl ? el("li", {}, [el("a", { "class": "chat-menu-item", href: config.accessibilityUrl,
        text: "Accessibility statement" })]) : null,
    ]),
  ]);

  var log = el("ol", { "class": "chat-log", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("p", { "class": "chat-typing", hidden: "" }, [
    el("span", { "class": "chat-dot", "aria-hidden": "true" }), el("span", { "class": "chat-dot", "aria-hidden": "true" }),
    el("span", { "class": "chat-dot", "aria-hidden": "true" }), el("span", { "class": "chat-sr", text: "The assistant is typing" }),
  ]);
  var status = el("p", { "class": "chat-status", role: "status", hidden: "" });
  var input = el("textarea", {
    id: inputId, "class": "chat-input", rows: "1", autocomplete: "off", maxlength: "4000",
    placeholder: "Type your question…",
  });
  var sendButton = el("button", { type: "submit", "class": "chat-send", "aria-label": "Send" });
  sendButton.innerHTML = '<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M3 20l18-8L3 4v6l12 2-12 2z"/></svg>';
  var form = el("form", { "class": "chat-form" }, [
    el("label", { "for": inputId, "class": "chat-sr", text: "Your message" }), input, sendButton,
  ]);

  // "Request a callback": a short form shown in place of the conversation while it is filled in.
  var callbackTitleId = id("callback-title");
  function field(label, control, hint) {
    var hintNode = hint ? el("p", { "class": "chat-hint", id: id("hint"), text: hint }) : null;
    var error = el("p", { "class": "chat-error", id: id("error"), hidden: "" });
    control.setAttribute("aria-describedby", [hintNode && hintNode.id, error.id].filter(Boolean).join(" "));
    return { node: el("div", { "class": "chat-field" }, [el("label", { "for": control.id, text: label }), hintNode, control, error]),
      control: control, error: error };
  }
  var callbackFields = {
    first_name: field("First name (optional)", el("input", { id: id("name"), type: "text", autocomplete: "given-name", maxlength: "40" })),
    phone: field("Phone number", el("input", { id: id("phone"), type: "tel", autocomplete: "tel", maxlength: "20" }),
      "A UK number, for example 07700 900123"),
  };
  var timeError = el("p", { "class": "chat-error", id: id("error"), hidden: "" });
  var timeLabels = config.callbackTimes || {};  // bot/storage/callbacks.py BEST_TIMES
  var timeChoices = Object.keys(timeLabels).map(function (value) {
    var radio = el("input", { type: "radio", name: "best_time", value: value, id: id("time") });
    return el("div", { "class": "chat-choice" }, [radio, el("label", { "for": radio.id, text: timeLabels[value] })]);
  });
  var timeFieldset = el("fieldset", { "class": "chat-field", "aria-describedby": timeError.id },
    [el("legend", { text: "Best time to call" })].concat(timeChoices, [timeError]));
  var consentBox = el("input", { type: "checkbox", id: id("consent") });
  var consentNote = el("p", { "class": "chat-hint", id: id("hint") });
  consentNote.appendChild(document.createTextNode("We keep it for " + (config.callbackRetentionDays || 30) +
    " days at most. Read our "));
  consentNote.appendChild(el("a", { href: config.privacyUrl || "#", target: "_blank", rel: "noopener noreferrer" }, [
    document.createTextNode("privacy notice"), el("span", { "class": "chat-sr", text: " (opens in a new tab)" })]));
  consentNote.appendChild(document.createTextNode("."));
  var consentError = el("p", { "class": "chat-error", id: id("error"), hidden: "" });
  consentBox.setAttribute("aria-describedby", consentNote.id + " " + consentError.id);
  var formError = el("p", { "class": "chat-error", role: "alert" });
  var callbackCancel = el("button", { type: "button", "class": "chat-secondary", text: "Cancel" });
  var callbackForm = el("form", { "class": "chat-callback-form", novalidate: "" }, [
    callbackFields.first_name.node, callbackFields.phone.node, timeFieldset,
    el("div", { "class": "chat-field chat-consent" }, [
      el("div", { "class": "chat-choice" }, [consentBox, el("label", { "for": consentBox.id,
        text: "I agree that " + config.title + " may keep my number and name to call me back." })]),
      consentNote, consentError,
    ]),
    formError,
    el("div", { "class": "chat-actions" }, [
      el("button", { type: "submit", "class": "chat-primary", text: "Send request" }), callbackCancel,
    ]),
  ]);
  var callbackSection = el("section", { "class": "chat-callback", "aria-labelledby": callbackTitleId, hidden: "" }, [
    el("h3", { id: callbackTitleId, "class": "chat-callback-title", text: "Request a callback" }),
    el("p", { "class": "chat-callback-safety", text: "This is not for emergencies. If you are in danger now, call " +
      (config.emergency || "999") + "." }),
    el("p", { text: "Leave your number and someone from " + config.title + " will call you back." }),
    callbackForm,
  ]);

  var panel = el("div", { id: panelId, "class": "chat-panel", role: "dialog", "aria-labelledby": titleId, hidden: "" }, [
    el("div", { "class": "chat-header" }, [
      el("div", { "class": "chat-heading" }, [
        el("h2", { id: titleId, "class": "chat-title", text: config.title }),
        config.subtitle ? el("p", { "class": "chat-subtitle", text: config.subtitle }) : null,
      ]),
      menuButton, closeButton,
    ]),
    menu,
    el("div", { "class": "chat-body" }, [log, typing, status, callbackSection]),
    form,
  ]);

  // Announcements: a polite region for replies, an assertive one for the crisis reply. They sit
  // outside the dialog so they exist (and stay unchanged) from the start, as screen readers need.
  var politeRegion = el("div", { "class": "chat-sr", "aria-live": "polite", "data-chat-announce": "polite" });
  var urgentRegion = el("div", { "class": "chat-sr", "aria-live": "assertive", "data-chat-announce": "assertive" });

  var root = el("aside", { "class": "chat", "aria-label": "Chat with our assistant" },
    [politeRegion, urgentRegion, panel, launcher]);

  // --- rendering ------------------------------------------------------------------------------

  var URL_PATTERN = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]']/g;

  // Text with its web addresses as links; everything else stays text (never HTML).
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(URL_PATTERN, function (url, offset) {
      fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      fragment.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [
        document.createTextNode(url), el("span", { "class": "chat-sr", text: " (opens in a new tab)" }),
      ]));
      last = offset + url.length;
      return url;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function isLink(url) { return /^(tel|sms|https?):/i.test(url || ""); }

  function renderMessage(message, index) {
    var who = message.from === "user" ? "You" : "Assistant";
    var item = el("li", {
      "class": "chat-message chat-message--" + (message.from === "user" ? "user" : "bot") + (message.crisis ? " chat-message--crisis" : ""),
      "data-index": String(index),
    }, [el("span", { "class": "chat-sr", text: who + ": " })]);
    var bubble = el("div", { "class": "chat-bubble" });
    bubble.appendChild(richText(message.text || ""));
    item.appendChild(bubble);
    var links = (message.links || []).filter(function (link) { return isLink(link.url); });
    if (links.length) {
      item.appendChild(el("ul", { "class": "chat-links", role: "list" }, links.map(function (link) {
        return el("li", {}, [el("a", { "class": "chat-link-button", href: link.url, text: link.title })]);
      })));
    }
    if (message.feedback && !crisisGiven) item.appendChild(renderFeedback(message, index));
    return item;
  }

  // Thumbs under an FAQ answer: two real toggle buttons, one vote per answer; the vote goes to
  // the server as the payload it offered (bot/nlg/feedback.py), and its thank-you shows here.
  // A thumb drawn here (inline SVG like the other icons: emoji fonts are not on every system).
  var THUMB = '<path fill="currentColor" d="M2 10h4v11H2zM8 21h9.5a2 2 0 0 0 1.9-1.4l2.4-7A2 2 0 0 0 19.9 10H14' +
    'l1-4.5A2 2 0 0 0 13 3l-5 7z"/>';
  var VOTES = [
    { key: "yes", label: "This answer helped", transform: "" },
    { key: "no", label: "This answer did not help", transform: ' transform="rotate(180 12 12)"' },
  ];
  function renderFeedback(message, index) {
    var group = el("div", { "class": "chat-feedback", role: "group", "aria-label": "Was this answer helpful?" });
    VOTES.forEach(function (vote) {
      var pressed = message.vote === vote.key;
      var button = el("button", {
        type: "button", "class": "chat-vote", "aria-label": vote.label, "aria-pressed": pressed ? "true" : "false",
      });
      button.innerHTML = '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">' +
        '<g' + vote.transform + '>' + THUMB + '</g></svg>';
      if (message.vote) button.setAttribute("aria-disabled", "true");
      button.addEventListener("click", function () { sendVote(index, vote.key); });
      group.appendChild(button);
    });
    if (message.thanks) group.appendChild(el("p", { "class": "chat-feedback-thanks", text: message.thanks }));
    return group;
  }

  function renderQuickReplies(replies) {
    var group = el("div", { "class": "chat-replies", role: "group", "aria-label": "Suggested questions" });
    replies.forEach(function (reply) {
      var button = el("button", { type: "button", "class": "chat-reply", text: reply.title });
      button.addEventListener("click", function () {
        send(reply.payload, reply.title);
        input.focus();  // not lost to <body> as the buttons go
      });
      group.appendChild(button);
    });
    return el("li", { "class": "chat-message chat-message--replies" }, [group]);
  }

  // Once the crisis reply is in the conversation, no answer asks for a vote any more.
  var crisisGiven = false;
  function render() {
    crisisGiven = state.messages.some(function (m) { return m.crisis; });
    log.textContent = "";
    state.messages.forEach(function (message, index) { log.appendChild(renderMessage(message, index)); });
    var lastMessage = state.messages[state.messages.length - 1];
    if (lastMessage && lastMessage.from === "bot" && lastMessage.replies && lastMessage.replies.length) {
      log.appendChild(renderQuickReplies(lastMessage.replies));
    }
  }

  // Shows a new reply from its first bubble, so a long answer (the greeting's safety line, the
  // crisis lines) is read from the top rather than scrolled past.
  function scrollToMessage(index) {
    var item = log.querySelector('[data-index="' + index + '"]');
    if (item) log.scrollTop = item.offsetTop - log.offsetTop - 8;
  }

  function announce(message) {
    var region = message.crisis ? urgentRegion : politeRegion;
    region.appendChild(el("p", { text: "Assistant: " + message.text }));
    while (region.childNodes.length > 6) region.removeChild(region.firstChild);
  }

  // --- the socket -----------------------------------------------------------------------------

  var socket = null;
  var replyStart = null;  // index of the first bubble of the reply being received

  function customData() {
    return Object.assign({}, config.customData, { page: window.location.pathname });
  }

  function showStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  function connect() {
    socket = window.io(config.socketUrl, { path: "/socket.io/", forceNew: true });
    socket.on("connect", function () {
      showStatus("");
      socket.emit("session_request", state.resumeToken ? { resume_token: state.resumeToken } : {});
    });
    socket.on("session_confirm", function (confirm) {
      if (!confirm || typeof confirm !== "object") return;
      if (!confirm.resumed && state.messages.length) {
        // The server no longer knows this conversation (it restarted): start a fresh one.
        state.messages = [];
        greeted = false;
        render();
      }
      state.sessionId = confirm.session_id;
      state.resumeToken = confirm.resume_token;
      save();
      if (!state.messages.length && state.open) greet();
    });
    socket.on("bot_uttered", receive);
    socket.on("callback_confirm", callbackConfirmed);
    socket.on("connect_error", function () {
      showStatus("The assistant can't be reached just now. You can call " + config.phone + " free.");
      typing.hidden = true;
    });
    socket.on("disconnect", function () { typing.hidden = true; });
  }

  var greeted = false;
  function greet() {
    if (greeted || !state.sessionId) return;
    greeted = true;
    replyStart = state.messages.length;
    emit("/greet");
  }

  function emit(text) {
    typing.hidden = false;
    socket.emit("user_uttered", { message: text, session_id: state.sessionId, customData: customData() });
  }

  function send(payload, shown) {
    var text = (shown || payload || "").trim();
    if (!text) return false;
    if (!socket || !socket.connected || !state.sessionId) {
      showStatus("The assistant can't be reached just now. You can call " + config.phone + " free.");
      return false;
    }
    state.messages.push({ from: "user", text: text });
    replyStart = state.messages.length;
    save();
    render();
    log.scrollTop = log.scrollHeight;
    emit(payload);
    return true;
  }

  var votedIndex = null;  // the answer whose vote is waiting for its thank-you
  function sendVote(index, key) {
    var message = state.messages[index];
    if (!message || !message.feedback || message.vote) return;  // one vote per answer
    if (!socket || !socket.connected || !state.sessionId) {
      showStatus("The assistant can't be reached just now. You can call " + config.phone + " free.");
      return;
    }
    message.vote = key;
    votedIndex = index;
    save();
    render();
    var pressed = log.querySelector('[data-index="' + index + '"] .chat-vote[aria-pressed="true"]');
    if (pressed) pressed.focus();  // render() rebuilt the buttons; keep the visitor's place
    socket.emit("user_uttered", { message: message.feedback[key], session_id: state.sessionId, customData: customData() });
  }

  function thanked(data) {
    var index = votedIndex;
    var message = index === null ? null : state.messages[index];
    votedIndex = null;
    if (!message) return;
    var hadFocus = document.activeElement && document.activeElement.classList.contains("chat-vote");
    message.thanks = data.text;
    save();
    render();
    var pressed = log.querySelector('[data-index="' + index + '"] .chat-vote[aria-pressed="true"]');
    if (hadFocus && pressed) pressed.focus();
    announce({ text: data.text });
  }

  function receive(data) {
    if (!data || typeof data.text !== "string") return;
    if (data.metadata && data.metadata.feedback_thanks) { thanked(data); return; }
    var crisis = Boolean(data.metadata && data.metadata.crisis);
    var message = { from: "bot", text: data.text, crisis: crisis };
    var feedback = data.metadata && data.metadata.feedback;
    if (feedback && typeof feedback.yes === "string" && typeof feedback.no === "string") {
      message.feedback = { topic: String(feedback.topic || ""), yes: feedback.yes, no: feedback.no };
    }
    if (Array.isArray(data.buttons)) message.links = data.buttons.filter(function (b) { return b.type === "web_url"; });
    if (Array.isArray(data.quick_replies)) message.replies = data.quick_replies.filter(function (r) { return r.payload; });
    typing.hidden = true;
    state.messages.push(message);
    save();
    render();
    if (replyStart === null || replyStart >= state.messages.length) replyStart = state.messages.length - 1;
    scrollToMessage(replyStart);
    announce(message);
  }

  // --- opening, closing, the menu, the focus trap ---------------------------------------------

  var background = [];  // page elements made inert while the dialog covers the screen

  function isSmallScreen() { return window.matchMedia(SMALL_SCREEN).matches; }

  function setModal(modal) {
    background.forEach(function (node) { node.inert = false; });
    background = [];
    if (modal) {
      panel.setAttribute("aria-modal", "true");
      Array.prototype.forEach.call(document.body.children, function (node) {
        if (node !== root && node.tagName !== "SCRIPT" && !node.inert) { node.inert = true; background.push(node); }
      });
      launcher.hidden = true;
    } else {
      panel.removeAttribute("aria-modal");
      launcher.hidden = false;
    }
  }

  function open(focus) {
    state.open = true;
    save();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    setModal(isSmallScreen());
    render();
    if (!state.messages.length) greet();
    else scrollToMessage(Math.max(0, replyStart === null ? 0 : Math.min(replyStart, state.messages.length - 1)));
    if (focus !== false) input.focus();
  }

  function close() {
    state.open = false;
    save();
    closeMenu();
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    setModal(false);
    launcher.focus();
  }

  function openMenu() { menu.hidden = false; menuButton.setAttribute("aria-expanded", "true"); menu.querySelector(".chat-menu-item").focus(); }
  function closeMenu() { menu.hidden = true; menuButton.setAttribute("aria-expanded", "false"); }

  function focusable() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button:not([disabled]), textarea, input, select, [tabindex='0']"),
      function (node) { return node.offsetParent !== null || node === document.activeElement; });
  }

  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!menu.hidden) { closeMenu(); menuButton.focus(); }
      else if (!callbackSection.hidden) showCallback(false);
      else close();
      return;
    }
    if (event.key === "Tab" && panel.getAttribute("aria-modal") === "true") {
      var nodes = focusable();
      if (!nodes.length) return;
      var first = nodes[0], last = nodes[nodes.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeButton.addEventListener("click", close);
  menuButton.addEventListener("click", function () { if (menu.hidden) openMenu(); else { closeMenu(); } });
  window.matchMedia(SMALL_SCREEN).addEventListener("change", function () { if (!panel.hidden) setModal(isSmallScreen()); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send(input.value)) input.value = "";  // kept in the box if it could not be sent
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // --- download and clear ---------------------------------------------------------------------

  function transcript() {
    var lines = ["Conversation with the automated assistant of " + config.title,
      "Saved " + new Date().toLocaleString("en-GB"), ""];
    state.messages.forEach(function (message) {
      lines.push((message.from === "user" ? "You: " : "Assistant: ") + message.text);
      (message.links || []).forEach(function (link) { lines.push("  " + link.title + " (" + link.url + ")"); });
      lines.push("");
    });
    return lines.join("\n");
  }

  downloadButton.addEventListener("click", function () {
    var url = URL.createObjectURL(new Blob([transcript()], { type: "text/plain;charset=utf-8" }));
    var link = el("a", { href: url, download: "conversation.txt" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    closeMenu();
    menuButton.focus();
  });

  function clearConversation() {
    state = { messages: [], open: !panel.hidden };
    window.sessionStorage.removeItem(STORAGE_KEY);
    save();
    politeRegion.textContent = "";
    urgentRegion.textContent = "";
    greeted = false;
    replyStart = null;
    render();
    if (socket) { socket.disconnect(); connect(); }
  }

  clearButton.addEventListener("click", function () {
    clearConversation();
    closeMenu();
    politeRegion.appendChild(el("p", { text: "The conversation was cleared from this browser." }));
    input.focus();
  });

  document.querySelectorAll("[data-chat-clear]").forEach(function (button) {
    button.addEventListener("click", clearConversation);
  });

  // --- request a callback ---------------------------------------------------------------------

  function showCallback(show) {
    callbackSection.hidden = !show;
    log.hidden = show;
    form.hidden = show;
    if (show) { callbackFields.first_name.control.focus(); } else { input.focus(); }
  }

  function showErrors(errors) {
    var all = [
      ["first_name", callbackFields.first_name.control, callbackFields.first_name.error],
      ["phone", callbackFields.phone.control, callbackFields.phone.error],
      ["best_time", timeChoices[0].querySelector("input"), timeError],
      ["consent", consentBox, consentError],
    ];
    var first = null;
    all.forEach(function (entry) {
      var message = errors[entry[0]];
      entry[2].textContent = message || "";
      entry[2].hidden = !message;
      if (entry[0] !== "best_time") entry[1].setAttribute("aria-invalid", message ? "true" : "false");
      if (message && !first) first = entry[1];
    });
    formError.textContent = errors.form || "";
    if (first) first.focus();
  }

  if (callbackButton) {
    callbackButton.addEventListener("click", function () { closeMenu(); showErrors({}); showCallback(true); });
    callbackCancel.addEventListener("click", function () { showCallback(false); });
    callbackForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!socket || !socket.connected) { showErrors({ form: "The chat is not connected. Please call " + config.phone + "." }); return; }
      var chosen = callbackForm.querySelector("input[name=best_time]:checked");
      socket.emit("callback_request", {
        first_name: callbackFields.first_name.control.value,
        phone: callbackFields.phone.control.value,
        best_time: chosen ? chosen.value : null,
        consent: consentBox.checked,
      });
    });
  }

  function callbackConfirmed(result) {
    if (!result || !result.ok) { showErrors((result && result.errors) || { form: "Something went wrong. Please call us." }); return; }
    callbackForm.reset();
    showErrors({});
    var message = { from: "bot", text: "Thank you: we have your request and will call you back. This is not for " +
      "emergencies: if you are in danger now, call " + (config.emergency || "999") + "." };
    state.messages.push(message);
    save();
    render();
    showCallback(false);
    scrollToMessage(state.messages.length - 1);
    announce(message);
  }

  // --- start ----------------------------------------------------------------------------------

  function start() {
    var style = document.documentElement.style;
    style.setProperty("--chat-colour", config.colour);
    style.setProperty("--chat-text-colour", config.textColour);
    document.body.appendChild(root);
    render();
    connect();
    if (state.open) open(false);
  }

  Promise.all([
    load("link", { rel: "stylesheet", href: new URL("widget.css", here).href }),
    load("script", { src: new URL("vendor/socket.io.min.js", here).href }),
  ]).then(start).catch(function (error) { console.error("Chat widget:", error.message); });
})();
