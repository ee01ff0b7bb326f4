// The services an operator can pick (GET /api/services), offered in one shared <datalist>: a name in,
// an id out. Names that occur twice are told apart by their department.
import * as api from "./admin-api.js";
import { clear, el } from "./dom.js";

const byName = new Map();
const nameById = new Map();

export async function loadServices() {
  const services = await api.services();
  const seen = new Map();
  for (const s of services) seen.set(s.name, (seen.get(s.name) ?? 0) + 1);
  const list = clear(document.getElementById("service-options"));
  byName.clear();
  for (const s of services) {
    const name = seen.get(s.name) > 1 ? `${s.name}（${s.dept}）` : s.name;
    byName.set(name, s.id);
    nameById.set(s.id, name);
    list.append(el("option", "", "", { value: name }));
  }
}

// The id of what was typed or picked: a listed name, or an id typed as it is.
export const serviceId = (typed) => byName.get(typed.trim()) ?? (nameById.has(typed.trim()) ? typed.trim() : null);
export const serviceName = (id) => nameById.get(id) ?? id;
