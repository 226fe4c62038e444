-- Initial schema: assistants, calls, call events and API keys.

CREATE TABLE assistants (
  id         text        PRIMARY KEY,
  name       text        NOT NULL,
  config     jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Listings are newest first.
CREATE INDEX assistants_created_at_idx ON assistants (created_at DESC, id DESC);

CREATE TABLE calls (
  id           text        PRIMARY KEY,
  -- No foreign key: assistants may also be defined in the config file, not in this table.
  assistant_id text,
  transport    text        NOT NULL,
  direction    text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  status       text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'ringing', 'in-progress', 'ended')),
  from_number  text,
  to_number    text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  answered_at  timestamptz,
  ended_at     timestamptz,
  end_reason   text,
  metadata     jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX calls_started_at_idx ON calls (started_at DESC, id DESC);
CREATE INDEX calls_assistant_started_at_idx ON calls (assistant_id, started_at DESC);
-- Active calls are few and looked up often (dashboard, shutdown drain); ended ones pile up.
CREATE INDEX calls_active_status_idx ON calls (status, started_at DESC) WHERE status <> 'ended';

CREATE TABLE call_events (
  id      bigserial   PRIMARY KEY,
  call_id text        NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  type    text        NOT NULL,
  payload jsonb       NOT NULL DEFAULT '{}'::jsonb,
  at      timestamptz NOT NULL DEFAULT now()
);

-- A call's events in append order; also serves the cascade delete.
CREATE INDEX call_events_call_id_idx ON call_events (call_id, id);

CREATE TABLE api_keys (
  id           text        PRIMARY KEY,
  name         text        NOT NULL,
  prefix       text        NOT NULL,
  -- sha256 hex of the key; the key itself is never stored.
  key_hash     text        NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE INDEX api_keys_created_at_idx ON api_keys (created_at DESC, id DESC);
