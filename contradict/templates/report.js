// contradict HTML report. Builds the matrix and the pair list from the JSON block #report-data.
// Every text from the report goes into the page through textContent (never innerHTML): document
// text is untrusted.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = 50;
  var LABELS = { contradiction: "contradiction", entailment: "corroboration", neutral: "neutral" };
  var CUES = { quantity: 1, date: 1, polarity: 1, truth: 1 };
  var docIndex = {};
  data.documents.forEach(function (d, i) { docIndex[d.id] = i; });
  // the matrix has a row and a column for each document in a pair (of any label)
  var inPairs = {};
  data.pairs.forEach(function (p) { inPairs[p.da] = true; inPairs[p.db] = true; });
  var matrixDocs = [];
  data.documents.forEach(function (d, i) { if (inPairs[d.id]) matrixDocs.push(i); });

  var state = { labels: {}, kinds: {}, doc: "", min: 0, cell: null, limit: PAGE };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function fmt(x) { return typeof x === "number" ? x.toFixed(2) : "n/a"; }
  function byId(id) { return document.getElementById(id); }

  function readFilters() {
    state.labels = {};
    document.querySelectorAll("input[data-label]").forEach(function (box) { state.labels[box.dataset.label] = box.checked; });
    state.kinds = {};
    document.querySelectorAll("input[data-kind]").forEach(function (box) { state.kinds[box.dataset.kind] = box.checked; });
    state.doc = byId("filter-doc").value;
    state.min = parseFloat(byId("filter-min-score").value) || 0;
    byId("min-score-value").textContent = state.min.toFixed(2);
  }

  // kind and score: these shape the matrix; label, document and cell narrow the list further.
  function passesKindAndScore(p) {
    if (p.score < state.min - 1e-9) return false;
    if (p.label === "contradiction" && !state.kinds[p.kind || ""]) return false;
    return true;
  }
  function passes(p) {
    if (!state.labels[p.label] || !passesKindAndScore(p)) return false;
    if (state.doc && p.da !== state.doc && p.db !== state.doc) return false;
    if (state.cell) {
      var a = state.cell[0], b = state.cell[1];
      if (!((p.da === a && p.db === b) || (p.da === b && p.db === a))) return false;
    }
    return true;
  }

  function docLabel(i) { var d = data.documents[i]; return d.title || d.id; }

  function renderMatrix() {
    var n = matrixDocs.length;
    var slotOf = {};
    matrixDocs.forEach(function (doc, i) { slotOf[data.documents[doc].id] = i; });
    var counts = [];
    for (var i = 0; i < n; i++) { counts.push([]); for (var j = 0; j < n; j++) counts[i].push([0, 0]); }
    data.pairs.forEach(function (p) {
      if (!passesKindAndScore(p)) return;
      var slot = p.label === "contradiction" ? 0 : p.label === "entailment" ? 1 : -1;
      if (slot < 0) return;
      var a = slotOf[p.da], b = slotOf[p.db];
      counts[a][b][slot] += 1;
      if (a !== b) counts[b][a][slot] += 1;
    });
    var most = 1;
    counts.forEach(function (row) { row.forEach(function (c) { most = Math.max(most, c[0]); }); });
    var table = byId("matrix");
    table.replaceChildren();
    var head = el("thead"), top = el("tr");
    top.appendChild(el("th", "corner", ""));
    matrixDocs.forEach(function (doc) {
      var th = el("th");
      th.appendChild(el("span", "num", doc + 1));
      th.title = docLabel(doc);
      th.scope = "col";
      top.appendChild(th);
    });
    head.appendChild(top);
    table.appendChild(head);
    var body = el("tbody");
    for (var r = 0; r < n; r++) {
      var row = matrixDocs[r];
      var tr = el("tr");
      var rowHead = el("th", "row");
      rowHead.scope = "row";
      rowHead.title = data.documents[row].id;
      rowHead.appendChild(el("span", "num", row + 1));
      rowHead.appendChild(document.createTextNode(" " + docLabel(row)));
      tr.appendChild(rowHead);
      for (var k = 0; k < n; k++) {
        var col = matrixDocs[k];
        var td;
        if (r === k && counts[r][k][0] + counts[r][k][1] === 0) {
          td = el("td", "self");
          td.title = "same document";
        } else {
          var con = counts[r][k][0], cor = counts[r][k][1];
          td = el("td", "cell");
          td.dataset.a = data.documents[row].id;
          td.dataset.b = data.documents[col].id;
          td.dataset.contradictions = con;
          td.dataset.corroborations = cor;
          if (con + cor === 0) {
            td.classList.add("none");
            td.textContent = "\u00b7";
          } else {
            td.tabIndex = 0;
            td.setAttribute("role", "button");
            td.appendChild(el("span", "count-c", con));
            td.appendChild(el("span", "sep", "/"));
            td.appendChild(el("span", "count-e", cor));
            if (con) td.classList.add("heat-" + Math.max(1, Math.ceil(4 * con / most)));
            else td.classList.add("agree");
          }
          td.title = docLabel(row) + " \u2194 " + docLabel(col) + ": " + con + " contradictions, " + cor + " corroborations";
          if (state.cell && state.cell[0] === td.dataset.a && state.cell[1] === td.dataset.b) td.classList.add("selected");
        }
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    var left = data.documents.length - n;
    byId("matrix-left").textContent = left ? left + " document(s) without any pair are not shown." : "";
  }

  function contextNode(claim) {
    var p = el("p", "ctx");
    claim.ctx.forEach(function (piece) {
      var text = piece[0], level = piece[1];
      if (level === 2) p.appendChild(el("mark", null, text));
      else if (level === 1) p.appendChild(el("span", "s", text));
      else p.appendChild(document.createTextNode(text));
    });
    return p;
  }

  function claimNode(ref) {
    var claim = data.claims[ref];
    var box = el("section", "claim");
    var doc = data.documents[docIndex[claim.doc]];
    var title = el("div", "doc");
    title.appendChild(el("span", "num", (docIndex[claim.doc] + 1) + ". "));
    title.appendChild(document.createTextNode(doc.title || doc.id));
    if (doc.date) title.appendChild(el("span", "date", " \u00b7 " + doc.date));
    box.appendChild(title);
    var who = el("div", "who");
    if (claim.speaker) {
      who.appendChild(el("b", null, claim.speaker));
      if (claim.resolved && claim.resolved !== claim.speaker) who.appendChild(document.createTextNode(" (" + claim.resolved + ")"));
      if (claim.verb) who.appendChild(document.createTextNode(" " + claim.verb));
    } else {
      who.appendChild(document.createTextNode("the document says"));
    }
    if (claim.said_on) who.appendChild(document.createTextNode(" \u00b7 " + claim.said_on));
    if (claim.modality && claim.modality !== "asserted") who.appendChild(document.createTextNode(" \u00b7 " + claim.modality));
    if (claim.polarity === "negative") who.appendChild(document.createTextNode(" \u00b7 negative"));
    box.appendChild(who);
    box.appendChild(contextNode(claim));
    if (claim.statement && claim.statement !== claim.text) box.appendChild(el("p", "stmt", "Scored as: " + claim.statement));
    if (claim.flags.length) box.appendChild(el("div", "flags", "flags: " + claim.flags.join(", ")));
    return box;
  }

  function pairNode(p) {
    var card = el("article", "pair " + p.label);
    card.dataset.id = p.id;
    card.dataset.label = p.label;
    var head = el("div", "pair-head");
    head.appendChild(el("span", "badge " + p.label, LABELS[p.label] || p.label));
    if (p.kind) head.appendChild(el("span", "badge kind", p.kind));
    if (p.triage) head.appendChild(el("span", "badge " + p.triage.decision, p.triage.decision));
    head.appendChild(el("span", "score", (p.confidence !== null ? "confidence " : "score ") + fmt(p.score)));
    var details = "contradiction score " + fmt(p.contradiction_score) + " \u00b7 similarity " + fmt(p.similarity);
    if (p.direction) details += " \u00b7 entails " + p.direction;
    head.appendChild(el("span", "muted", details));
    var id = el("code", "pair-id", p.id);
    id.title = "pair id, for contradict triage REPORT --dismiss / --confirm";
    head.appendChild(id);
    card.appendChild(head);
    var sides = el("div", "sides");
    sides.appendChild(claimNode(p.a));
    sides.appendChild(claimNode(p.b));
    card.appendChild(sides);
    var ev = el("div", "evidence");
    ev.appendChild(el("b", null, "Evidence"));
    var list = el("ul");
    p.evidence.forEach(function (e) {
      var li = el("li");
      li.appendChild(el("span", "type" + (CUES[e[0]] ? " cue" : ""), e[0]));
      li.appendChild(document.createTextNode(e[1]));
      list.appendChild(li);
    });
    if (!p.evidence.length) list.appendChild(el("li", "empty", "none recorded"));
    ev.appendChild(list);
    var s = p.scores || {};
    ev.appendChild(el("div", "muted", "Chosen by " + (p.sources.join(", ") || "n/a") + " \u00b7 scores: contradiction " +
      fmt(s.contradiction) + ", entailment " + fmt(s.entailment) + ", neutral " + fmt(s.neutral)));
    card.appendChild(ev);
    if (p.triage && (p.triage.note || p.triage.decided_at)) {
      var note = el("p", "note", (p.triage.decision === "dismissed" ? "Dismissed" : "Confirmed") +
        (p.triage.decided_at ? " " + p.triage.decided_at : "") + (p.triage.note ? ": " + p.triage.note : ""));
      card.appendChild(note);
    }
    return card;
  }

  function renderList() {
    var shown = data.pairs.filter(passes);
    var box = byId("pairs");
    box.replaceChildren();
    shown.slice(0, state.limit).forEach(function (p) { box.appendChild(pairNode(p)); });
    if (!shown.length) box.appendChild(el("p", "empty", "No pair passes these filters."));
    byId("shown-count").textContent = "Showing " + Math.min(shown.length, state.limit) + " of " + shown.length +
      " matching pairs (" + data.pairs.length + " in the report)";
    var more = byId("more");
    more.hidden = shown.length <= state.limit;
    var cell = byId("cell-filter"), clear = byId("clear-cell");
    if (state.cell) {
      cell.textContent = "between " + (docIndex[state.cell[0]] + 1) + ". " + docLabel(docIndex[state.cell[0]]) +
        " and " + (docIndex[state.cell[1]] + 1) + ". " + docLabel(docIndex[state.cell[1]]);
      cell.hidden = false;
      clear.hidden = false;
    } else {
      cell.hidden = true;
      clear.hidden = true;
    }
  }

  function renderDismissed() {
    if (!data.dismissed.length) return;
    byId("dismissed-section").hidden = false;
    byId("dismissed-count").textContent = data.dismissed.length;
    var box = byId("dismissed");
    data.dismissed.forEach(function (p) { box.appendChild(pairNode(p)); });
  }

  function update() {
    readFilters();
    renderMatrix();
    renderList();
  }

  var select = byId("filter-doc");
  data.documents.forEach(function (d, i) {
    var option = el("option", null, (i + 1) + ". " + (d.title || d.id));
    option.value = d.id;
    select.appendChild(option);
  });
  document.querySelectorAll(".filters input, .filters select").forEach(function (input) {
    input.addEventListener("input", function () { state.limit = PAGE; update(); });
    input.addEventListener("change", function () { state.limit = PAGE; update(); });
  });
  function pickCell(event) {
    var td = event.target.closest("td.cell");
    if (!td || td.classList.contains("none")) return;
    var same = state.cell && state.cell[0] === td.dataset.a && state.cell[1] === td.dataset.b;
    state.cell = same ? null : [td.dataset.a, td.dataset.b];
    state.limit = PAGE;
    update();
    var picked = byId("matrix").querySelector("td.selected");
    if (picked && event.type === "keydown") picked.focus();
    else if (state.cell) byId("pairs-title").scrollIntoView({ block: "start" });
  }
  byId("matrix").addEventListener("click", pickCell);
  byId("matrix").addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pickCell(event); }
  });
  byId("clear-cell").addEventListener("click", function () { state.cell = null; update(); });
  byId("more").addEventListener("click", function () { state.limit += PAGE; renderList(); });

  update();
  renderDismissed();
})();
