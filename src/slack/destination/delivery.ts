import { deliveryConfigSchema } from "../../delivery/config.ts";
import {
  type CreateDeliveryOptions,
  createDelivery,
  type Delivery,
} from "../../delivery/delivery.ts";
import type { Destination } from "../../delivery/destination.ts";
import type { LinkTemplates } from "../blocks/format.ts";
import { createChatWrites, createSlackClient, type SlackOptions } from "./client.ts";
import { slackDestination } from "./destination.ts";

export interface SlackDeliveryOptions extends Omit<CreateDeliveryOptions, "destinations"> {
  slack: SlackOptions;
  /** Per-entity record links (routing file). */
  links?: LinkTemplates;
  /** Destinations tried before Slack (e.g. a signed webhook); Slack takes every other target. */
  others?: readonly Destination[];
}

/** Delivery with Slack as its destination (the client built for the bulk path: no SDK retries). */
export function createSlackDelivery(o: SlackDeliveryOptions): Delivery {
  const { slack, links, others = [], ...rest } = o;
  const timeoutMs = deliveryConfigSchema.parse(o.config ?? {}).requestTimeoutMs;
  const client = createSlackClient(slack, timeoutMs);
  const writes = createChatWrites(slack, timeoutMs);
  return createDelivery({
    ...rest,
    destinations: [...others, slackDestination({ client, writes, links })],
  });
}
