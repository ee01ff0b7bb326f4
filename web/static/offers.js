// 服务找人: the "您可能还需要" panel after a submission. What usually follows and the policies that may
// apply, each with why (GET /api/recommendations); a button starts one as if its name were said.
import * as api from "./api.js";
import { clear, el } from "./dom.js";
import { t } from "./strings.js";

const panel = document.getElementById("offers-panel");
const list = document.getElementById("offers");

function entry(item, onPick) {
  const li = el("li", "offer");
  li.append(el("h3", "", item.name), el("p", "offer-reason", item.reason));
  if (item.basis) li.append(el("p", "offer-basis", `${t("offerBasis")}${item.basis}`));
  if (item.can_apply && item.quick_reply) {
    // The visible word starts the accessible name (WCAG 2.5.3), the service's name tells which.
    const start = el("button", "button", t("offerStart"), { type: "button", "aria-label": `${t("offerStart")} ${item.name}` });
    start.addEventListener("click", () => onPick(item.quick_reply));
    li.append(start);
  }
  return li;
}

export async function showOffers(onPick) {
  let items;
  try {
    ({ items } = await api.recommendations());
  } catch {
    return; // a help beside the conversation, never in its way: the chat offers the same
  }
  clear(list);
  for (const item of items) list.append(entry(item, onPick));
  panel.hidden = items.length === 0;
}
