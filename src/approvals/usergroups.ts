import { DEFAULT_KEY_PREFIX } from "../shared/key-prefix.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type { UserGroupMembers } from "./policy.ts";

/** The one Web API method this needs (Tier 2, about 20 calls a minute: hence the cache). */
export interface UserGroupsApi {
  usergroups: {
    users: {
      list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[] }>;
    };
  };
}

export interface UserGroupResolverOptions {
  client: UserGroupsApi;
  redis: RedisClient;
  prefix?: string;
  ttlSeconds?: number;
  clock?: () => number;
}

/** Slack user group members through `usergroups.users.list`, cached in Redis for all replicas. */
export function createUserGroupResolver(options: UserGroupResolverOptions): UserGroupMembers {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const ttl = options.ttlSeconds ?? 300;
  const clock = options.clock ?? Date.now;
  // A Home tab checks every open approval against the same few groups: keep them in memory for
  // a few seconds so one render costs one Redis read per group, not one per approval.
  const local = new Map<string, { until: number; members: ReadonlySet<string> }>();
  const localMs = Math.min(ttl * 1000, 5_000);
  return {
    async members(usergroup) {
      const hit = local.get(usergroup);
      if (hit && hit.until > clock()) return hit.members;
      const cacheKey = `${prefix}usergroup:${usergroup}`;
      const cached = await options.redis.get(cacheKey);
      let users: string[];
      if (cached !== null) users = JSON.parse(cached) as string[];
      else {
        const res = await options.client.usergroups.users.list({ usergroup });
        users = res.users ?? [];
        await options.redis.set(cacheKey, JSON.stringify(users), "EX", ttl);
      }
      const members = new Set(users);
      local.set(usergroup, { until: clock() + localMs, members });
      return members;
    },
  };
}
