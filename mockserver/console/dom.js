// The console's small DOM and API helpers, shared by its views.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

// State changes carry a JSON content type: the mock refuses any other (no cross-site forms).
export async function api(method, path, body, type = "application/json") {
  const init = { method, headers: {} };
  if (method !== "GET") init.headers["Content-Type"] = type;
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const r = await fetch(path, init);
  const text = await r.text();
  const data = text && (r.headers.get("Content-Type") || "").startsWith("application/json") ? JSON.parse(text) : text;
  if (!r.ok) throw new Error(data?.error?.message ?? `${r.status} ${text}`);
  return data;
}
