/**
 * A JSON Schema (draft-07) for Slack app manifests, written for this project from the manifest
 * fields Slack documents (docs.slack.dev "App manifest reference" and the field descriptions in
 * @slack/web-api's `Manifest` type). It is our own work, not Slack's published schema: that one
 * (github.com/slackapi/manifest-schema) ships in no npm package we can install, and content fetched
 * from public repositories may not be committed here. It covers the fields this app uses and the
 * limits Slack documents for them; every object refuses unknown keys, so a typo fails the test
 * instead of being silently ignored by Slack.
 */

const httpsUrl = { type: "string", pattern: "^https://[^\\s]+$", maxLength: 2000 } as const;

const scope = { type: "string", pattern: "^[a-z_.-]+(:[a-z_.-]+)?$" } as const;

export const manifestSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://cloudsuite-slack.local/schemas/slack-app-manifest.json",
  type: "object",
  additionalProperties: false,
  required: ["display_information"],
  properties: {
    _metadata: {
      type: "object",
      additionalProperties: false,
      properties: {
        // Slack supports major versions 1 and 2 (2 is the Deno/next-gen platform).
        major_version: { type: "integer", enum: [1, 2] },
        minor_version: { type: "integer", minimum: 0 },
      },
    },
    display_information: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: { type: "string", minLength: 1, maxLength: 35 },
        description: { type: "string", maxLength: 140 },
        long_description: { type: "string", maxLength: 4000 },
        background_color: { type: "string", pattern: "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$" },
      },
    },
    features: {
      type: "object",
      additionalProperties: false,
      properties: {
        app_home: {
          type: "object",
          additionalProperties: false,
          properties: {
            home_tab_enabled: { type: "boolean" },
            messages_tab_enabled: { type: "boolean" },
            messages_tab_read_only_enabled: { type: "boolean" },
          },
        },
        bot_user: {
          type: "object",
          additionalProperties: false,
          required: ["display_name"],
          properties: {
            display_name: {
              type: "string",
              minLength: 1,
              maxLength: 80,
              pattern: "^[a-z0-9._-]+$",
            },
            always_online: { type: "boolean" },
          },
        },
        shortcuts: {
          type: "array",
          maxItems: 10,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name", "type", "callback_id", "description"],
            properties: {
              name: { type: "string", minLength: 1 },
              type: { enum: ["global", "message"] },
              callback_id: { type: "string", minLength: 1, maxLength: 255 },
              description: { type: "string", minLength: 1, maxLength: 150 },
            },
          },
        },
        slash_commands: {
          type: "array",
          maxItems: 50,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["command", "description"],
            properties: {
              command: { type: "string", pattern: "^/[a-z0-9_-]+$", maxLength: 32 },
              url: httpsUrl,
              description: { type: "string", minLength: 1, maxLength: 2000 },
              usage_hint: { type: "string", maxLength: 1000 },
              should_escape: { type: "boolean" },
            },
          },
        },
        unfurl_domains: { type: "array", maxItems: 5, items: { type: "string" } },
      },
    },
    oauth_config: {
      type: "object",
      additionalProperties: false,
      properties: {
        redirect_urls: { type: "array", maxItems: 1000, items: httpsUrl },
        scopes: {
          type: "object",
          additionalProperties: false,
          properties: {
            bot: { type: "array", maxItems: 255, uniqueItems: true, items: scope },
            user: { type: "array", maxItems: 255, uniqueItems: true, items: scope },
          },
        },
        token_management_enabled: { type: "boolean" },
      },
    },
    settings: {
      type: "object",
      additionalProperties: false,
      properties: {
        allowed_ip_address_ranges: { type: "array", maxItems: 50, items: { type: "string" } },
        event_subscriptions: {
          type: "object",
          additionalProperties: false,
          properties: {
            request_url: httpsUrl,
            bot_events: {
              type: "array",
              maxItems: 100,
              uniqueItems: true,
              items: { type: "string", pattern: "^[a-z_.]+$" },
            },
            user_events: {
              type: "array",
              maxItems: 100,
              uniqueItems: true,
              items: { type: "string", pattern: "^[a-z_.]+$" },
            },
          },
        },
        interactivity: {
          type: "object",
          additionalProperties: false,
          required: ["is_enabled"],
          properties: {
            is_enabled: { type: "boolean" },
            request_url: httpsUrl,
            message_menu_options_url: httpsUrl,
          },
        },
        org_deploy_enabled: { type: "boolean" },
        socket_mode_enabled: { type: "boolean" },
        token_rotation_enabled: { type: "boolean" },
        incoming_webhooks: {
          type: "object",
          additionalProperties: false,
          properties: { incoming_webhooks_enabled: { type: "boolean" } },
        },
      },
      // Without Socket Mode, Slack needs somewhere to send events and interactions.
      if: {
        type: "object",
        properties: { socket_mode_enabled: { const: false } },
      },
      // biome-ignore lint/suspicious/noThenProperty: "then" is a JSON Schema keyword, not a promise.
      then: {
        type: "object",
        properties: {
          event_subscriptions: { type: "object", required: ["request_url"] },
          interactivity: {
            type: "object",
            if: { properties: { is_enabled: { const: true } } },
            // biome-ignore lint/suspicious/noThenProperty: JSON Schema keyword, as above.
            then: { type: "object", required: ["request_url"] },
          },
        },
      },
    },
  },
} as const;
