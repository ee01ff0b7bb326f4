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
  for (const item of items) node.append(el("li", "", item));
  return node;
}

// A guide at a glance: what it takes (conditions, materials), how long, how much, where to go.
function card(candidate, index) {
  const heading = `candidate-${index}`;
  const article = el("article", "cp-card", "", { "aria-labelledby": heading });
  const title = el("h4", "", candidate.name, { id: heading });
  if (candidate.type === "bundle") title.append(el("span", "tag", text("bundle")));
  const facts = [[text("cardDept"), candidate.dept], [text("cardTime"), candidate.time_limit], [text("cardFee"), candidate.fee],
    [text("cardWhere"), candidate.where], [text("cardOnline"), candidate.online.join("、")], [text("cardHotline"), candidate.hotline]];
  article.append(title, el("p", "score", text("score", { percent: percent(candidate.score) })),
    pairs(el("dl", "facts"), facts.filter(([, value]) => value)));
  const sections = [["cardMembers", candidate.members, "ul"], ["cardConditions", candidate.conditions, "ul"],
    ["cardMaterials", candidate.materials, "ol"]];
  for (const [label, items, tag] of sections) {
    if (items.length) article.append(el("p", "card-label", text(label)), list(tag, items));
  }
  return article;
}

function passage(item) {
  const figure = el("figure", "cp-passage");
  figure.append(el("blockquote", "", item.text), el("figcaption", "", text("source", { source: item.source })));
  return item(figure);
}

export function showSuggestion(suggestion) {
  const cards = clear($("candidates"));
  suggestion.candidates.forEach((candidate, index) => cards.append(item(card(candidate, index))));
  $("no-candidates").hidden = suggestion.candidates.length > 0;
  const passages = clear($("passages"));
  for (const item of suggestion.passages) passages.append(passage(item));
  $("no-passages").hidden = suggestion.passages.length > 0;
  $("script").textContent = suggestion.script;
}

export function clearSuggestion() {
  clear($("candidates"));
  clear($("passages"));
  $("no-candidates").hidden = false;
  $("no-passages").hidden = false;
  $("script").textContent = "";
}
