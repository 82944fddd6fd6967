-- haicap schema, version 10: failed logins counted in the database, so that servers sharing
-- it throttle together (a guesser spread over two servers behind a load balancer gets no
-- more tries than against one).

-- @all
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    since TIMESTAMP NOT NULL
);
