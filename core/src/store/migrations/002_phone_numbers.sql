-- Number routes created through the API (/v1/phone-numbers): called number → assistant.
-- Routes from the config file (`numbers:`) are not stored; the router merges both.

CREATE TABLE phone_numbers (
  -- Normalised by the API: an exact national number (4001234567), a prefix (400*) or *.
  pattern      text        PRIMARY KEY CHECK (pattern ~ '^(\*|\+?[0-9]{1,20}\*?)$'),
  -- No foreign key, as in calls: the assistant may be deleted or re-created; a route to a
  -- missing assistant is reported when a call arrives.
  assistant_id text        NOT NULL CHECK (assistant_id <> ''),
  label        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
