import type { TFunction } from "i18next";
import { CommandError } from "./api";

/** A translated sentence for a failed command, chosen by its code. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof CommandError) {
    const known = ["invalid", "not_found", "forbidden", "conflict", "clock", "storage", "disk_full", "disk_error", "wrong_passphrase", "passphrase_required", "transport"];
    const key = known.includes(e.code) || e.code.startsWith("sync_") ? e.code : "unknown";
    return t(`errors.${key}`, { field: e.field ?? "", message: e.message });
  }
  return t("errors.unknown", { message: String(e) });
}
