import type { EmuUser } from "../types.ts";
import { type MethodHandler, type MethodResult, required, SlackApiError, str } from "./common.ts";

export function userObject(teamId: string, u: EmuUser): MethodResult {
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: u.deleted,
    real_name: u.real_name,
    tz: u.tz,
    is_admin: u.is_admin,
    is_owner: u.is_owner,
    is_primary_owner: u.is_owner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.is_bot,
    is_app_user: false,
    profile: { real_name: u.real_name, display_name: u.name, email: u.email, team: teamId },
  };
}

const authTest: MethodHandler = (ctx) => {
  const s = ctx.store.seed;
  const bot = s.users.find((u) => u.id === s.botUserId);
  return {
    url: `${ctx.origin}/`,
    team: s.teamName,
    user: bot?.name ?? "bot",
    team_id: s.teamId,
    user_id: s.botUserId,
    bot_id: s.botId,
    ...(s.enterpriseId ? { enterprise_id: s.enterpriseId } : {}),
    is_enterprise_install: false,
  };
};

const usersInfo: MethodHandler = (ctx, args) => {
  const id = required(args, "user");
  const u = ctx.store.seed.users.find((x) => x.id === id);
  if (!u) throw new SlackApiError("user_not_found");
  return { user: userObject(ctx.store.seed.teamId, u) };
};

const usergroupUsers: MethodHandler = (ctx, args) => {
  const id = str(args, "usergroup");
  const g = ctx.store.seed.usergroups.find((x) => x.id === id);
  if (!g) throw new SlackApiError("no_such_subteam");
  return { users: [...g.users] };
};

export const userMethods: Record<string, MethodHandler> = {
  "auth.test": authTest,
  "users.info": usersInfo,
  "usergroups.users.list": usergroupUsers,
};
