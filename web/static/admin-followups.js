// 评价跟进: ratings of 2 stars or less, each with its (masked) conversation, closed with a note.
import * as api from "./admin-api.js";
import { text, when } from "./admin-text.js";
import { clear, el } from "./dom.js";

const $ = (id) => document.getElementById(id);

export function setUpFollowups() {
  const pick = $("followup-status");
  pick.append(el("option", "", text("status_open"), { value: "open" }), el("option", "", text("status_closed"), { value: "closed" }),
    el("option", "", text("allStatuses"), { value: "" }));
  pick.addEventListener("change", () => refreshFollowups());
  $("followups-refresh").addEventListener("click", () => refreshFollowups());
}

export async function refreshFollowups() {
  const status = $("followups-status");
  status.textContent = text("loading");
  try {
    const items = await api.followups($("followup-status").value);
    const list = clear($("followups"));
    for (const item of items) list.append(row(item));
    status.textContent = items.length ? "" : text("followupsEmpty");
  } catch (error) {
    status.textContent = error.message;
  }
}

function row(item) {
  const li = el("li", `followup ${item.status}`, "", { "data-id": item.id });
  const head = el("p", "followup-head");
  head.append(el("strong", "rating", text("rating", { n: item.rating })), ` ${item.subject_name || text("noService")} · ${when(item.at)} · `,
    el("span", "status", text(`status_${item.status}`)));
  li.append(head, el("p", "said", item.comment || text("noComment")));
  if (item.transcript?.length) {
    const details = el("details");
    details.append(el("summary", "", text("transcript")));
    const lines = el("ol", "transcript-lines");
    for (const line of item.transcript) {
      const entry = el("li", line.role);
      entry.append(el("span", "who", `${text(`role_${line.role}`)}：`), line.text);
      lines.append(entry);
    }
    details.append(lines);
    li.append(details);
  }
  if (item.status === "closed") {
    if (item.note) li.append(el("p", "quiet", text("closedNote", { note: item.note })));
    return li;
  }
  const form = el("form", "inline-form");
  const noteId = `note-${item.id}`;
  const note = el("input", "", "", { id: noteId, type: "text", maxlength: "500" });
  const result = el("p", "result", "", { role: "status" });
  form.append(el("label", "", text("note"), { for: noteId }), note, el("button", "button small", text("close"), { type: "submit" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.closeFollowup(item.id, note.value.trim());
      li.replaceWith(row({ ...item, status: "closed", note: note.value.trim() }));
    } catch (error) {
      result.textContent = error.message;
    }
  });
  li.append(form, result);
  return li;
}
