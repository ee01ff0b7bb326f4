// The operator dashboard's fixed sentences, loaded once from admin-strings.json.
import { loadCatalogue } from "./catalogue.js";

export const { text, applyText } = await loadCatalogue("/static/admin-strings.json");

export const percent = (share) => `${Math.round(share * 100)}%`;

// Beijing time, like the days the figures are counted in, wherever the operator's computer is.
const clock = new Intl.DateTimeFormat("zh-CN", { dateStyle: "short", timeStyle: "short", hour12: false, timeZone: "Asia/Shanghai" });
export const when = (iso) => clock.format(new Date(iso));
