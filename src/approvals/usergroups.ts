import type { Redis } from "ioredis";
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
  redis: Redis;
  prefix?: string;
  ttlSeconds?: number;
}

/** Slack user group members through `usergroups.users.list`, cached in Redis for all replicas. */
export function createUserGroupResolver(options: UserGroupResolverOptions): UserGroupMembers {
  const prefix = options.prefix ?? "cs:";
  const ttl = options.ttlSeconds ?? 300;
  return {
    async members(usergroup) {
      const cacheKey = `${prefix}usergroup:${usergroup}`;
      const cached = await options.redis.get(cacheKey);
      if (cached !== null) return new Set(JSON.parse(cached) as string[]);
      const res = await options.client.usergroups.users.list({ usergroup });
      const users = res.users ?? [];
      await options.redis.set(cacheKey, JSON.stringify(users), "EX", ttl);
      return new Set(users);
    },
  };
}
