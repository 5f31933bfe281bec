import type { TFunction } from "i18next";
import { CommandError } from "./api";

/** A translated sentence for a failed command, chosen by its code (the generated `ErrorCode`:
 * every code has its sentence, a test checks it); an unknown one says what it can. */
export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof CommandError) {
    return t([`errors.${e.code}`, "errors.unknown"], { field: e.field ?? "", message: e.message });
  }
  return t("errors.unknown", { message: String(e) });
}
