// The staff console's fixed sentences and work-order names, loaded once from copilot-strings.json.
import { loadCatalogue } from "./catalogue.js";

const { all, text, applyText } = await loadCatalogue("/static/copilot-strings.json");
export { applyText, text };

// Work-order types, urgencies, change names, caller fields and the changes each status allows.
export const names = {
  types: all.types,
  urgencies: all.urgencies,
  changes: all.changes,
  callerFields: all.caller_fields,
  next: all.next,
};

export const percent = (confidence) => `${Math.round(confidence * 100)}%`;

const clock = new Intl.DateTimeFormat("zh-CN", { dateStyle: "short", timeStyle: "short", hour12: false });
export const when = (iso) => clock.format(new Date(iso));
