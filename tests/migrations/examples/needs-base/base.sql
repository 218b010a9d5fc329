-- The schema the history starts from (what `--prepare` builds on an empty database).
CREATE TABLE legacy (id integer PRIMARY KEY, name text NOT NULL);
