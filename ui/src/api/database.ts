// The desktop shell's database commands (src-tauri/src/replica.rs): whether the database is
// encrypted or waiting for its passphrase, unlocking it, encrypting it or changing its
// passphrase. Outside the desktop app (the browser bridge) there is no such thing: the
// database is never locked there and encryption is not offered.
import { call, CommandError } from "./transport";

export type DatabaseStatus = { encrypted: boolean; locked: boolean; available: boolean };

export const database = {
  async status(): Promise<DatabaseStatus> {
    try {
      const s = await call<{ encrypted: boolean; locked: boolean }>("database_status", {});
      return { ...s, available: true };
    } catch (e) {
      if (e instanceof CommandError && (e.code === "unknown_command" || e.code === "not_found")) {
        return { encrypted: false, locked: false, available: false };
      }
      throw e;
    }
  },
  unlock: (passphrase: string) => call<null>("unlock_database", { passphrase }),
  encrypt: (current: string | null, passphrase: string) => call<null>("encrypt_database", { current, passphrase }),
};
