// One small helper to build elements without HTML strings (so no markup is ever built from replies).
export function el(tag, className = "", text = "", attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// A definition list of [term, description] pairs.
export function pairs(list, rows) {
  clear(list);
  for (const [term, description] of rows) list.append(el("dt", "", term), el("dd", "", description));
  return list;
}
