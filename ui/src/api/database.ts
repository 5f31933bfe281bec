// The desktop shell's database commands (declared with the others in the core's command list,
// implemented by src-tauri/src/replica.rs): whether the database is encrypted or waiting for
// its passphrase or being opened (with a format upgrade's progress), unlocking it, encrypting it or changing its passphrase. Outside the desktop
// app (the browser bridge) there is no such thing: the database is never locked there and
// encryption is not offered.
import { commands, type DatabaseStatus as Status } from "./bindings";
import { CommandError } from "./transport";

export type DatabaseStatus = Status & { available: boolean };

export const database = {
  async status(): Promise<DatabaseStatus> {
    try {
      return { ...(await commands.databaseStatus({})), available: true };
    } catch (e) {
      if (e instanceof CommandError && (e.code === "unknown_command" || e.code === "not_found")) {
        return { encrypted: false, locked: false, opening: false, upgrade: null, available: false };
      }
      throw e;
    }
  },
  unlock: (passphrase: string) => commands.unlockDatabase({ passphrase }),
  encrypt: (current: string | null, passphrase: string) => commands.encryptDatabase({ current, passphrase }),
};
