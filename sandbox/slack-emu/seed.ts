import type { EmuChannel, EmuUser, EmuUserGroup, WorkspaceSeed } from "./types.ts";

// A small finance workspace: the ids follow Slack's shapes (C… channels, U… users,
// S… user groups, B… bots, A… apps) so code that checks prefixes behaves as in Slack.

const BOT_USER = "U0BOT00001";
const CREATED = 1_700_000_000;

function channel(
  id: string,
  name: string,
  members: string[],
  extra: Partial<EmuChannel> = {},
): EmuChannel {
  return {
    id,
    name,
    is_channel: true,
    is_private: false,
    is_archived: false,
    created: CREATED,
    members,
    topic: "",
    purpose: "",
    ...extra,
  };
}

function user(id: string, name: string, realName: string, extra: Partial<EmuUser> = {}): EmuUser {
  return {
    id,
    name,
    real_name: realName,
    is_admin: false,
    is_owner: false,
    is_bot: false,
    deleted: false,
    tz: "Europe/Stockholm",
    email: `${name}@example.test`,
    ...extra,
  };
}

export function defaultSeed(): WorkspaceSeed {
  const people = ["U0ADMIN001", "U0APPR0001", "U0APPR0002", "U0CLERK001", "U0CLERK002"];
  const users: EmuUser[] = [
    user("U0ADMIN001", "ada.admin", "Ada Admin", { is_admin: true, is_owner: true }),
    user("U0APPR0001", "anna.approver", "Anna Approver"),
    user("U0APPR0002", "bo.approver", "Bo Approver"),
    user("U0CLERK001", "carl.clerk", "Carl Clerk"),
    user("U0CLERK002", "dina.clerk", "Dina Clerk"),
    user("U0GONE0001", "ex.employee", "Ex Employee", { deleted: true }),
    user(BOT_USER, "cloudsuite", "CloudSuite", { is_bot: true, tz: "UTC" }),
  ];
  const channels: EmuChannel[] = [
    channel("C0GENERAL1", "general", [...people, BOT_USER]),
    channel("C0FINANCE1", "finance-alerts", [...people, BOT_USER]),
    channel("C0AP000001", "ap-invoices", [...people, BOT_USER]),
    channel("C0CC100001", "cc-100-operations", ["U0APPR0001", "U0CLERK001", BOT_USER]),
    channel("C0CC200001", "cc-200-sales", ["U0APPR0002", "U0CLERK002", BOT_USER]),
    channel("C0OPS00001", "finance-ops", ["U0ADMIN001", BOT_USER]),
    channel("C0PRIV0001", "controllers", ["U0ADMIN001", "U0APPR0001", BOT_USER], {
      is_private: true,
    }),
    channel("C0NOBOT001", "random", people),
    channel("C0PRIVNB01", "payroll", ["U0ADMIN001"], { is_private: true }),
    channel("C0ARCH0001", "old-ap-2019", [...people, BOT_USER], { is_archived: true }),
  ];
  const usergroups: EmuUserGroup[] = [
    {
      id: "S0APPROVER",
      handle: "ap-approvers",
      name: "AP approvers",
      users: ["U0APPR0001", "U0APPR0002"],
    },
    { id: "S0ADMINS01", handle: "finance-admins", name: "Finance admins", users: ["U0ADMIN001"] },
  ];
  return {
    teamId: "T0EMU00001",
    teamName: "CloudSuite Emulated",
    teamDomain: "cloudsuite-emu",
    appId: "A0EMUAPP01",
    botId: "B0EMUBOT01",
    botUserId: BOT_USER,
    channels,
    users,
    usergroups,
  };
}
