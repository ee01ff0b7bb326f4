// A staff page's fixed sentences, loaded once from its strings file ({"text": {key: sentence}, …}).
export async function loadCatalogue(url) {
  const response = await fetch(url);
  const all = await response.json();

  // A sentence by key, its {placeholders} filled from `values`.
  function text(key, values = {}) {
    const sentence = all.text[key] ?? key;
    return sentence.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  // Fills every element that names its text by key: data-text (content), data-label (aria-label),
  // data-placeholder. The HTML itself carries no sentences.
  function applyText(root = document) {
    for (const node of root.querySelectorAll("[data-text]")) node.textContent = text(node.dataset.text);
    for (const node of root.querySelectorAll("[data-label]")) node.setAttribute("aria-label", text(node.dataset.label));
    for (const node of root.querySelectorAll("[data-placeholder]")) node.placeholder = text(node.dataset.placeholder);
    document.title = text("title");
  }

  return { all, text, applyText };
}
