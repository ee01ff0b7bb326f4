// The copilot's suggestions for the call so far: the top services or bundles with their key facts,
// the policy passages with their sources, and the reply script the agent can read out.
import { clear, el, pairs } from "./dom.js";
import { percent, text } from "./copilot-text.js";

const $ = (id) => document.getElementById(id);

function item(child) {
  const li = el("li");
  li.append(child);
  return li;
}

function list(tag, items) {
  const node = el(tag, "cp-list");
  for (const entry of items) node.append(el("li", "", entry));
  return node;
}

// A guide at a glance: what it takes (conditions, materials), how long, how much, where to go. The
// best match is open; the others show their name and score until the agent opens them.
const agentOpened = new Set(); // the cards the agent opened stay open as the suggestions change

function card(candidate, index) {
  const details = el("details", "cp-card");
  details.open = index === 0 || agentOpened.has(candidate.id);
  const summary = el("summary");
  // A click on the summary (or Enter or Space on it) is about to toggle the card.
  summary.addEventListener("click", () => (details.open ? agentOpened.delete(candidate.id) : agentOpened.add(candidate.id)));
  summary.append(el("strong", "card-name", candidate.name));
  if (candidate.type === "bundle") summary.append(el("span", "tag", text("bundle")));
  summary.append(el("span", "score", text("score", { percent: percent(candidate.score) })));
  const facts = [[text("cardDept"), candidate.dept], [text("cardTime"), candidate.time_limit], [text("cardFee"), candidate.fee],
    [text("cardWhere"), candidate.where], [text("cardOnline"), candidate.online.join("、")], [text("cardHotline"), candidate.hotline]];
  details.append(summary, pairs(el("dl", "facts"), facts.filter(([, value]) => value)));
  const sections = [["cardMembers", candidate.members, "ul"], ["cardConditions", candidate.conditions, "ul"],
    ["cardMaterials", candidate.materials, "ol"]];
  for (const [label, items, tag] of sections) {
    if (items.length) details.append(el("p", "card-label", text(label)), list(tag, items));
  }
  return details;
}

function passage(found) {
  const figure = el("figure", "cp-passage");
  figure.append(el("blockquote", "", found.text), el("figcaption", "", text("source", { source: found.source })));
  return item(figure);
}

export function showSuggestion(suggestion) {
  const cards = clear($("candidates"));
  suggestion.candidates.forEach((candidate, index) => cards.append(item(card(candidate, index))));
  $("no-candidates").hidden = suggestion.candidates.length > 0;
  const passages = clear($("passages"));
  for (const found of suggestion.passages) passages.append(passage(found));
  $("no-passages").hidden = suggestion.passages.length > 0;
  $("script").textContent = suggestion.script;
}

export function clearSuggestion() {
  agentOpened.clear();
  clear($("candidates"));
  clear($("passages"));
  $("no-candidates").hidden = false;
  $("no-passages").hidden = false;
  $("script").textContent = "";
}
