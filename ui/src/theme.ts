// Light and dark themes: the stylesheet's colours are variables, switched by `data-theme` on
// the root element. "system" follows the operating system's preference.
export type Theme = "system" | "light" | "dark";
const STORED = "caucus.theme";

export function preferredTheme(): Theme {
  const t = globalThis.localStorage?.getItem(STORED);
  return t === "light" || t === "dark" ? t : "system";
}

export function applyTheme(theme: Theme = preferredTheme()) {
  const dark =
    theme === "dark" || (theme === "system" && globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

export function setTheme(theme: Theme) {
  globalThis.localStorage?.setItem(STORED, theme);
  applyTheme(theme);
}
