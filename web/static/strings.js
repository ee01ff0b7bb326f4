// The page's fixed sentences, loaded once from strings.json; elderly mode overrides some with fewer words.
const response = await fetch("/static/strings.json");
const all = await response.json();
let elder = false;

export function setElder(on) {
  elder = on;
}

export function t(key) {
  return (elder && key in all.elder ? all.elder[key] : all.normal[key]) ?? key;
}

// Fills every element that names its text by key: data-text (content), data-label (aria-label),
// data-placeholder, data-title (title attribute). The HTML itself carries no sentences.
export function applyStrings(root = document) {
  for (const el of root.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
  for (const el of root.querySelectorAll("[data-label]")) el.setAttribute("aria-label", t(el.dataset.label));
  for (const el of root.querySelectorAll("[data-placeholder]")) el.placeholder = t(el.dataset.placeholder);
  document.title = t("title");
}
