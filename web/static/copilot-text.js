// The staff console's fixed sentences and work-order names, loaded once from copilot-strings.json.
const response = await fetch("/static/copilot-strings.json");
const all = await response.json();

// Work-order types, urgencies, change names, caller fields and the changes each status allows.
export const names = {
  types: all.types,
  urgencies: all.urgencies,
  changes: all.changes,
  callerFields: all.caller_fields,
  next: all.next,
};

// A sentence by key, its {placeholders} filled from `values`.
export function text(key, values = {}) {
  const sentence = all.text[key] ?? key;
  return sentence.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// Fills every element that names its text by key: data-text (content), data-label (aria-label),
// data-placeholder. The HTML itself carries no sentences.
export function applyText(root = document) {
  for (const node of root.querySelectorAll("[data-text]")) node.textContent = text(node.dataset.text);
  for (const node of root.querySelectorAll("[data-label]")) node.setAttribute("aria-label", text(node.dataset.label));
  for (const node of root.querySelectorAll("[data-placeholder]")) node.placeholder = text(node.dataset.placeholder);
  document.title = text("title");
}

export const percent = (confidence) => `${Math.round(confidence * 100)}%`;

const clock = new Intl.DateTimeFormat("zh-CN", { dateStyle: "short", timeStyle: "short", hour12: false });
export const when = (iso) => clock.format(new Date(iso));
