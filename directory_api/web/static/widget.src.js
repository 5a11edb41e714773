/*! <care-finder>: the nearest places where care is paid for (CAK). directory-api, EUPL-1.2 */
// Source of GET /widget.js: directory_api/views/widget.py fills in CONFIG (texts per
// language, the CSS, the API's care codes and schemes). Attributes: care, lang, limit, api,
// scheme, max-km, dir. Private by design: no cookies, no storage, no request to any host but
// the API; coordinates are rounded to 3 decimals (about 100 m) before they leave the browser.
(() => {
  "use strict";
  const CONFIG = __CARE_FINDER_CONFIG__;
  const TAG = "care-finder";
  if (!window.customElements || customElements.get(TAG)) return;

  const TIMEOUT_MS = 15000;
  const EXACT = ["coordinates", "address"];
  const script = document.currentScript;
  // The default API is where this script came from (its folder, so a path prefix works).
  const SCRIPT_BASE = folderOf(script && script.src) || location.origin;
  const warned = new Set();

  function folderOf(src) {
    try {
      return src ? new URL(".", src).href.replace(/\/+$/, "") : null;
    } catch (e) {
      return null;
    }
  }

  function warn(message) {
    if (!warned.has(message)) {
      warned.add(message);
      console.warn(`<${TAG}> ${message}`);
    }
  }

  // -- options: attributes, checked; a bad value falls back and says so in the console -----

  function apiBase(value) {
    if (!value) return SCRIPT_BASE;
    try {
      const url = new URL(value, location.href);
      if (url.protocol === "http:" || url.protocol === "https:") {
        return (url.origin + url.pathname).replace(/\/+$/, "");
      }
    } catch (e) {
      /* falls through */
    }
    warn(`api="${value}" is not an http(s) URL; using ${SCRIPT_BASE}`);
    return SCRIPT_BASE;
  }

  function supported(tag) {
    if (!tag) return null;
    const lower = tag.toLowerCase();
    if (CONFIG.texts[lower]) return lower;
    const primary = lower.split("-")[0];
    return CONFIG.texts[primary] ? primary : null;
  }

  function chooseLang(el) {
    const own = el.getAttribute("lang");
    if (own && !supported(own)) {
      warn(`lang="${own}" has no texts (available: ${Object.keys(CONFIG.texts).join(", ")})`);
    }
    const page = el.parentElement && el.parentElement.closest("[lang]");
    const wishes = [own, page && page.getAttribute("lang"), ...(navigator.languages || [])];
    for (const wish of wishes) {
      const lang = supported(wish);
      if (lang) return lang;
    }
    return CONFIG.defaultLang;
  }

  function numberAttr(el, name, ok, fallback) {
    const raw = el.getAttribute(name);
    if (raw === null || raw === "") return fallback;
    const n = Number(raw);
    if (ok(n)) return n;
    warn(`${name}="${raw}" is out of range; using ${fallback === null ? "none" : fallback}`);
    return fallback;
  }

  function options(el) {
    const lang = chooseLang(el);
    const texts = CONFIG.texts[lang];
    let care = el.getAttribute("care") || "";
    if (care && !CONFIG.care.includes(care)) {
      warn(`care="${care}" is unknown, so the visitor chooses (known: ${CONFIG.care.join(", ")})`);
      care = "";
    }
    let scheme = el.getAttribute("scheme") || CONFIG.schemes[0];
    if (!CONFIG.schemes.includes(scheme)) {
      warn(`scheme="${scheme}" is unknown; using ${CONFIG.schemes[0]}`);
      scheme = CONFIG.schemes[0];
    }
    const dir = el.getAttribute("dir");
    return {
      lang,
      texts,
      care,
      scheme,
      apiLang: CONFIG.apiLangs.includes(texts.api_lang) ? texts.api_lang : "en",
      limit: numberAttr(el, "limit", (n) => Number.isInteger(n) && n >= 1 && n <= CONFIG.maxLimit, CONFIG.defaultLimit),
      maxKm: numberAttr(el, "max-km", (n) => n > 0 && n <= 1000, null),
      dir: dir === "rtl" || dir === "ltr" ? dir : texts.dir === "rtl" ? "rtl" : "ltr",
      api: apiBase(el.getAttribute("api")),
    };
  }

  function translator(lang, texts) {
    const plural = new Intl.PluralRules(lang);
    return (key, vars = {}) => {
      let text = texts[key];
      if (text && typeof text === "object") text = text[plural.select(vars.count || 0)] || text.other;
      return String(text == null ? key : text).replace(/\{(\w+)\}/g, (m, name) =>
        name in vars ? String(vars[name]) : m,
      );
    };
  }

  // -- small DOM helpers (text only ever goes in as text, never as HTML) ---------------------

  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) el.append(kid);
    return el;
  }

  function fill(el, ...kids) {
    el.replaceChildren(...kids.flat().filter((kid) => kid !== null && kid !== undefined && kid !== false));
  }

  let sheet = null;
  function adoptStyles(root) {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CONFIG.css);
      }
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Older browsers: a <style> element (allowed by its hash in the CSP of /embed).
      root.append(h("style", { text: CONFIG.css }));
    }
  }

  async function getJSON(url, init) {
    const response = await fetch(url, {
      credentials: "omit",
      referrerPolicy: "no-referrer",
      headers: { Accept: "application/json" },
      ...init,
    });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    return { status: response.status, ok: response.ok, body };
  }

  function round3(x) {
    return (Math.round(x * 1000) / 1000).toFixed(3);
  }

  function telHref(phone) {
    return "tel:" + phone.replace(/[^\d+]/g, "");
  }

  function webHref(site) {
    try {
      const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(site) ? site : "https://" + site);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function addressOf(p) {
    const street = [p.street, p.house_number].filter(Boolean).join(" ");
    const town = [p.postcode, p.city].filter(Boolean).join(" ");
    return [street, town].filter(Boolean).join(", ");
  }

  // A plain link the visitor may follow; nothing is fetched from OpenStreetMap by the widget.
  // Without a precise point the address is the destination (a postcode centroid would mislead).
  function routeHref(p) {
    const address = addressOf(p);
    const exact = EXACT.includes(p.location_precision) || !p.street;
    const to = exact ? `${p.lat},${p.lon}` : address;
    return "https://www.openstreetmap.org/directions?to=" + encodeURIComponent(to);
  }

  // Whether the rules give children and adults different terms for this care (an entry of
  // /v1/care-types that holds for one age group only): then the widget asks the age question.
  function dependsOnAge(careType) {
    return (careType.rules || []).some((rule) =>
      (rule.eligible || []).some((e) => Array.isArray(e.age_groups) && e.age_groups.length === 1),
    );
  }

  // The rule says "maximaal" / "up to": the share is a ceiling, and the widget says so.
  const CEILING = /\b(maximaal|tot maximaal|up to)\s+\d+\s*%/i;

  // -- the element ------------------------------------------------------------------------

  class CareFinder extends HTMLElement {
    static get observedAttributes() {
      return ["care", "lang", "limit", "api", "scheme", "max-km", "dir"];
    }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      adoptStyles(this._root);
      this._els = {
        head: h("div", { class: "head" }),
        intro: h("p", { class: "intro" }),
        form: h("form", { novalidate: true, role: "search", "aria-labelledby": "cf-title" }),
        status: h("p", { class: "status", role: "status", "aria-live": "polite", "aria-atomic": "true" }),
        out: h("div", { class: "out", tabindex: "-1" }),
        foot: h("p", { class: "foot" }),
      };
      const e = this._els;
      this._els.cf = h("div", { class: "cf" }, e.head, e.intro, e.form, e.status, e.out, e.foot);
      this._root.append(this._els.cf);
      this._state = { view: "idle" };
      this._errors = {};
      this._near = "";
      this._care = "";
      this._age = "";
      this._careTypes = null;
      this._careTypesFrom = null;
      this._last = null;
      this._pending = null;
    }

    connectedCallback() {
      this._connected = true;
      // Moved in the page while searching: that search was dropped on disconnect.
      if (["loading", "locating"].includes(this._state.view)) this._state = { view: "idle" };
      this._update(true);
    }

    disconnectedCallback() {
      this._connected = false;
      if (this._pending) this._pending.abort();
      this._pending = null;
    }

    attributeChangedCallback(name, old, value) {
      if (this._connected && old !== value) this._update(name === "care", name === "lang");
    }

    /** Re-read the attributes, redraw, and fetch what the new options need. */
    _update(resetCare, rerun) {
      const o = options(this);
      this._o = o;
      this._t = translator(o.lang, o.texts);
      this._nf = new Intl.NumberFormat(o.lang, { maximumFractionDigits: 1 });
      if (resetCare) this._care = o.care;
      if (this._careTypesFrom !== o.api) this._loadCareTypes();
      this._renderForm();
      this._renderOut();
      const again = ["loading", "results", "empty", "unknown", "invalid"].includes(this._state.view);
      if (rerun && this._last && again) this._search(this._last);
    }

    async _loadCareTypes() {
      const api = this._o.api;
      this._careTypesFrom = api;
      this._careTypes = null;
      let types = null;
      try {
        const r = await getJSON(api + "/v1/care-types", {});
        if (r.ok && r.body && Array.isArray(r.body.care_types)) types = r.body.care_types;
      } catch (e) {
        types = null;
      }
      if (this._careTypesFrom !== api) return; // the api attribute changed meanwhile
      if (!types) {
        this._careTypesFrom = null; // try again on the next update or retry
        if (!this._o.care) this._setState({ view: "unreachable", retry: "care" });
        return;
      }
      this._careTypes = types.map((c) => ({ code: c.code, label: c.label || {}, byAge: dependsOnAge(c) }));
      this._renderForm();
      if (this._state.retry === "care") this._setState({ view: "idle" });
    }

    _label(code) {
      const found = (this._careTypes || []).find((c) => c.code === code);
      return found ? found.label[this._o.apiLang] || found.label.en || code : null;
    }

    // -- the form: rebuilt when the language, the options or the care types change ---------

    _renderForm() {
      const { _t: t, _o: o, _els: e } = this;
      const focused = this._root.activeElement && this._root.activeElement.dataset.k;
      e.cf.setAttribute("lang", o.lang);
      e.cf.setAttribute("dir", o.dir);
      const langs = Object.entries(CONFIG.texts).map(([code, texts]) =>
        h("button", {
          type: "button",
          lang: code,
          "data-k": "lang-" + code,
          "aria-pressed": String(code === o.lang),
          text: texts.name,
          onclick: () => this.setAttribute("lang", code),
        }),
      );
      fill(
        e.head,
        h("h2", { id: "cf-title", text: t("title") }),
        langs.length > 1 ? h("div", { class: "langs", role: "group", "aria-label": t("languages") }, langs) : null,
      );
      e.intro.textContent = t("intro");
      e.form.onsubmit = (ev) => this._submit(ev);
      fill(
        e.form,
        this._careField(),
        this._ageField(),
        h(
          "div",
          { class: "field" },
          h("label", { for: "cf-near", text: t("near_label") }),
          h("p", { class: "hint", id: "cf-near-hint", text: t("near_hint") }),
          h("input", {
            id: "cf-near",
            "data-k": "near",
            type: "text",
            dir: "auto",
            autocomplete: "off",
            spellcheck: "false",
            enterkeyhint: "search",
            maxlength: "200",
            "aria-describedby": "cf-near-hint cf-near-err",
            oninput: (ev) => {
              this._near = ev.target.value;
            },
          }),
          h("p", { class: "err", id: "cf-near-err", hidden: true }),
        ),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", class: "primary", "data-k": "search", text: t("search") }),
          navigator.geolocation
            ? h("button", { type: "button", "data-k": "locate", text: t("locate"), onclick: () => this._locate() })
            : null,
        ),
      );
      e.form.querySelector("#cf-near").value = this._near;
      e.foot.textContent = t("privacy");
      this._syncErrors();
      const again = focused && this._root.querySelector(`[data-k="${focused}"]`);
      if (again) again.focus();
    }

    _careField() {
      const { _t: t, _o: o } = this;
      if (o.care && this._care) {
        const label = this._label(this._care);
        return label ? h("p", { class: "preset" }, t("care_preset") + " ", h("span", { text: label })) : null;
      }
      const choices = (this._careTypes || []).map((c) =>
        h("option", { value: c.code, selected: c.code === this._care, text: this._label(c.code) }),
      );
      return h(
        "div",
        { class: "field" },
        h("label", { for: "cf-care", text: t("care_label") }),
        h(
          "select",
          {
            id: "cf-care",
            "data-k": "care",
            "aria-describedby": "cf-care-err",
            onchange: (ev) => {
              this._care = ev.target.value;
              this._syncAge();
            },
          },
          h("option", { value: "", text: t("care_choose") }),
          choices,
        ),
        h("p", { class: "err", id: "cf-care-err", hidden: true }),
      );
    }

    _byAge(code) {
      const found = (this._careTypes || []).find((c) => c.code === code);
      return Boolean(found && found.byAge);
    }

    // Asked only where the answer depends on it; never more than child or adult.
    _ageField() {
      const t = this._t;
      const box = h("div", { class: "field age", "data-age-question": true, hidden: !this._byAge(this._care) });
      const choice = (value, key) =>
        h(
          "label",
          { class: "choice" },
          h("input", {
            type: "radio",
            name: "cf-age",
            value,
            "data-k": "age-" + (value || "unknown"),
            checked: this._age === value,
            onchange: () => {
              this._age = value;
            },
          }),
          " " + t(key),
        );
      fill(
        box,
        h(
          "fieldset",
          {},
          h("legend", { text: t("age_label") }),
          h("p", { class: "hint", text: t("age_hint") }),
          choice("child", "age_child"),
          choice("adult", "age_adult"),
        ),
      );
      return box;
    }

    _syncAge() {
      const box = this._root.querySelector("[data-age-question]");
      if (box) box.hidden = !this._byAge(this._care);
    }

    _syncErrors() {
      for (const name of ["care", "near"]) {
        const field = this._root.getElementById("cf-" + name);
        const message = this._root.getElementById(`cf-${name}-err`);
        if (!field || !message) continue;
        const error = this._errors[name];
        message.textContent = error ? this._t(...error) : "";
        message.hidden = !error;
        if (error) field.setAttribute("aria-invalid", "true");
        else field.removeAttribute("aria-invalid");
      }
    }

    _submit(ev) {
      ev.preventDefault();
      const near = this._near.trim();
      this._errors = {};
      if (!this._care) this._errors.care = ["care_missing"];
      if (!near) this._errors.near = ["near_missing"];
      this._syncErrors();
      const wrong = this._errors.care ? "cf-care" : this._errors.near ? "cf-near" : null;
      if (wrong) {
        this._root.getElementById(wrong).focus();
        return;
      }
      this._search({ near });
    }

    _locate() {
      this._errors = {};
      this._syncErrors();
      if (!this._care) {
        this._errors.care = ["care_missing"];
        this._syncErrors();
        this._root.getElementById("cf-care").focus();
        return;
      }
      this._setState({ view: "locating" });
      navigator.geolocation.getCurrentPosition(
        (pos) => this._search({ lat: round3(pos.coords.latitude), lon: round3(pos.coords.longitude) }),
        () => this._setState({ view: "locate_failed" }),
        { enableHighAccuracy: false, timeout: TIMEOUT_MS, maximumAge: 600000 },
      );
    }

    _retry() {
      if (!this._careTypes && this._careTypesFrom === null) this._loadCareTypes();
      if (this._last) this._search(this._last);
      else this._setState({ view: "idle" });
    }

    // -- the search ---------------------------------------------------------------------------

    async _search(query) {
      const o = this._o;
      const care = this._care;
      const params = new URLSearchParams({ care, scheme: o.scheme, lang: o.apiLang, limit: String(o.limit) });
      if (o.maxKm) params.set("max_km", String(o.maxKm));
      if (this._age && this._byAge(care)) params.set("age_group", this._age);
      if (query.near) params.set("near", query.near);
      else {
        params.set("lat", query.lat);
        params.set("lon", query.lon);
      }
      this._last = query;
      this._sheet = new URLSearchParams(params); // the same query for the printable sheet
      this._sheet.delete("limit");
      if (this._pending) this._pending.abort();
      const pending = new AbortController();
      this._pending = pending;
      const timer = setTimeout(() => pending.abort(), TIMEOUT_MS);
      this._setState({ view: "loading" });
      let r;
      try {
        // no-store: a postcode typed on a shared phone should not linger in its cache.
        r = await getJSON(`${o.api}/v1/search?${params}`, { cache: "no-store", signal: pending.signal });
      } catch (e) {
        r = null;
      } finally {
        clearTimeout(timer);
      }
      if (this._pending !== pending) return; // a newer search took over
      this._pending = null;
      const body = r && r.body;
      if (r && r.ok && body && Array.isArray(body.results)) {
        this._setState({ view: body.results.length ? "results" : "empty", data: body, query, care });
      } else if (r && r.status === 422 && body && body.errors && body.errors.near && query.near) {
        this._errors = { near: ["unknown_place", { near: query.near }] };
        this._setState({ view: "unknown" });
        this._root.getElementById("cf-near").focus();
      } else if (r && r.status >= 400 && r.status < 500 && body) {
        this._setState({ view: "invalid", message: String(body.message || r.status) });
      } else {
        this._setState({ view: "unreachable" });
      }
    }

    _setState(state) {
      this._state = state;
      if (state.view !== "unknown") {
        this._errors = {};
      }
      this._syncErrors();
      this._renderOut();
    }

    // -- the output: status line (the live region) and what goes with it -----------------

    _renderOut() {
      const { _t: t, _state: s, _els: e } = this;
      const hadFocus = e.out.contains(this._root.activeElement);
      const busy = s.view === "loading" || s.view === "locating";
      e.cf.classList.toggle("busy", busy);
      e.out.setAttribute("aria-busy", String(busy));
      const status = {
        loading: t("loading"),
        locating: t("locating"),
        results: s.data && t("found", { count: s.data.results.length }),
        empty: this._emptyTitle(s.data),
        invalid: t("invalid", { message: s.message }),
        unreachable: t("unreachable"),
        locate_failed: t("locate_failed"),
        // Shown under the input; the live region only announces it.
        unknown: this._errors.near && t(...this._errors.near),
      }[s.view];
      if (e.status.textContent !== (status || "")) e.status.textContent = status || "";
      const tone = s.view === "unknown" ? " sr" : ["invalid", "unreachable", "locate_failed"].includes(s.view) ? " err" : "";
      e.status.className = "status" + tone;
      const parts = {
        results: () => [this._origin(s.data), this._examples(s.data), this._list(s.data), this._advice(s.data), this._print()],
        empty: () => [this._none(s), this._advice(s.data)],
        unreachable: () => [
          h("button", { type: "button", class: "retry primary", "data-k": "retry", text: t("retry"), onclick: () => this._retry() }),
        ],
      }[s.view];
      fill(e.out, parts ? parts().flat() : []);
      if (hadFocus) e.out.focus();
    }

    _print() {
      // The referral sheet (GET /referral): the same query as a page to print and take along.
      const href = `${this._o.api}/referral?${this._sheet}`;
      const newWindow = h("span", { class: "sr", text: " " + this._t("new_window") });
      return h("p", { class: "print" }, h("a", { href, target: "_blank", rel: "noopener", "data-k": "print", text: this._t("print_sheet") }, newWindow));
    }

    _origin(data) {
      const origin = data.query.origin;
      const text =
        origin.resolved_from === "coordinates" && this._last && !this._last.near
          ? this._t("from_here")
          : this._t("from_place", { place: origin.label || `${origin.lat}, ${origin.lon}` });
      return h("p", { class: "origin", text });
    }

    _emptyTitle(data) {
      const code = data && data.notice && data.notice.code;
      return this._t(code ? "none_" + code : "none_title");
    }

    // Invented example data is never shown as real: a banner over the list, a label per card.
    _examples(data) {
      if (!data.results.some((r) => r.provider.example)) return null;
      return h(
        "div",
        { class: "box warn example-banner", role: "note" },
        h("p", {}, h("strong", { text: this._t("example_banner") })),
        h("p", { text: this._t("example_text") }),
      );
    }

    _list(data) {
      const approxOrigin = !EXACT.includes(data.query.origin.precision);
      return h("ol", { class: "list" }, data.results.map((r) => this._card(r, approxOrigin)));
    }

    // The headline of the terms: what alone is paid, else the share (a ceiling where the
    // rule says "maximaal").
    _share(pay) {
      const t = this._t;
      if (pay.restricted_to && pay.restricted_to.length) {
        return h(
          "div",
          { class: "restricted" },
          h("p", {}, h("strong", { text: t("restricted_to") })),
          h("ul", {}, pay.restricted_to.map((item) => h("li", { text: item }))),
        );
      }
      if (pay.share_percent === null) return null;
      const ceiling = pay.conditions.some((c) => CEILING.test(c));
      return h("p", { class: "share", text: t(ceiling ? "share_max" : "share", { percent: pay.share_percent }) });
    }

    _card(result, approxOrigin) {
      const t = this._t;
      const p = result.provider;
      const pay = result.reimbursement;
      const approx = approxOrigin || !EXACT.includes(p.location_precision);
      const km = result.distance_km;
      const distance = approx && km < 1 ? t("under_1_km") : t(approx ? "about_km" : "km", { km: this._nf.format(km) });
      const newWindow = h("span", { class: "sr", text: " " + t("new_window") });
      const site = p.website && webHref(p.website);
      const email = p.email && /^[^\s@]+@[^\s@]+$/.test(p.email) ? p.email : null;
      return h(
        "li",
        { class: "card" + (p.example ? " example" : "") },
        h("h3", { text: p.name }),
        h("p", { class: "meta" }, h("span", { class: "dist", text: distance }), this._badge(p, pay)),
        addressOf(p) ? h("p", { class: "addr", text: addressOf(p) }) : null,
        p.opening_hours ? h("p", { text: `${t("hours")} ${p.opening_hours}` }) : null,
        h(
          "div",
          { class: "terms" },
          this._share(pay),
          h("p", { text: t("basis_" + pay.basis) }),
          pay.patient_contribution
            ? h("p", {}, h("strong", { text: t("you_pay") }), " " + pay.patient_contribution)
            : null,
          pay.conditions.length === 1
            ? h("p", {}, h("strong", { text: t("conditions") }), " " + pay.conditions[0])
            : null,
          pay.conditions.length > 1
            ? [h("p", {}, h("strong", { text: t("conditions") })), h("ul", {}, pay.conditions.map((c) => h("li", { text: c })))]
            : null,
        ),
        h(
          "p",
          { class: "links" },
          p.phone ? h("a", { href: telHref(p.phone), text: t("call", { phone: p.phone }) }) : null,
          h(
            "a",
            { href: routeHref(p), target: "_blank", rel: "noopener noreferrer" },
            t("route"),
            h("span", { class: "sr", text: " " + t("route_to", { name: p.name }) }),
            newWindow.cloneNode(true),
          ),
          site ? h("a", { href: site, target: "_blank", rel: "noopener noreferrer" }, t("website"), newWindow.cloneNode(true)) : null,
          email ? h("a", { href: "mailto:" + email, text: t("email") + ": " + email }) : null,
        ),
      );
    }

    _badge(p, pay) {
      const t = this._t;
      if (p.example) return h("span", { class: "badge example", text: t("badge_example") });
      if (pay.basis === "cak_contract" || (pay.basis === "cak" && p.cak_contracted === true)) {
        return h("span", { class: "badge good", text: t("badge_contract") });
      }
      if (pay.basis === "cak") {
        return p.cak_contracted === false ? h("span", { class: "badge plain", text: t("badge_no_contract") }) : null;
      }
      const good = pay.basis === "free";
      return h("span", { class: "badge " + (good ? "good" : "plain"), text: t("badge_" + pay.basis) });
    }

    _advice(data) {
      const t = this._t;
      const advice = (data.advice || []).filter(Boolean);
      return [
        data.referral
          ? h("div", { class: "referral" }, h("p", { text: t("referral_title") }), h("p", { text: data.referral }))
          : null,
        advice.length
          ? h(
              "details",
              {},
              h("summary", { "data-k": "advice", text: t("advice_title", { count: advice.length }) }),
              h("ul", {}, advice.map((a) => h("li", { text: a }))),
            )
          : null,
      ];
    }

    _none(state) {
      const t = this._t;
      const support = state.care !== "support" && CONFIG.care.includes("support");
      return h(
        "div",
        { class: "box info" },
        state.data && state.data.notice ? h("p", { class: "notice", text: state.data.notice.message }) : null,
        h("p", { text: t("none_text") }),
        h(
          "ul",
          {},
          CONFIG.help.map((c) =>
            h("li", {}, t("help_" + c.key) + ": ", h("a", { href: telHref(c.phone), text: c.phone })),
          ),
        ),
        support
          ? h("button", {
              type: "button",
              class: "retry",
              "data-k": "support",
              text: t("find_support"),
              onclick: () => {
                this._care = "support";
                this._renderForm();
                this._search(this._last);
              },
            })
          : null,
      );
    }
  }

  customElements.define(TAG, CareFinder);
})();
