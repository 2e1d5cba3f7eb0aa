"""Making sure a pooled PostgreSQL connection is alive, without a round trip on every request.

SQLAlchemy's pool_pre_ping pings the server each time a connection leaves the pool:
under load that is a round trip on every request, and the busiest path (public
registration) made three. A connection that came back to the pool a moment ago was
working a moment ago, so, as HikariCP does (its "alive bypass window", 500 ms), only
a connection idle for longer than ALIVE_BYPASS_SECONDS is pinged before use. A dead
one (the server restarted, a proxy or the server closed it while idle) is replaced
before anyone sees it, exactly as pre-ping would; the window is the only time a
freshly broken connection can reach a request, and then SQLAlchemy notices the
disconnect and empties the pool.
"""

import time

import sqlalchemy as sa

#: a connection checked in this recently is used without a ping
ALIVE_BYPASS_SECONDS = 0.5
#: where the pool entry remembers when it was last checked in
_CHECKED_IN_AT = "eventsys_checked_in_at"


def install(engine: sa.Engine) -> None:
    """Ping connections that were idle past the window when they leave engine's pool."""
    dialect = engine.dialect

    def remember_checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < ALIVE_BYPASS_SECONDS:
            return  # just opened, or just used
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool then drops this connection and checks out (or opens) another.
            raise sa.exc.DisconnectionError(str(error)) from error

    sa.event.listen(engine, "checkin", remember_checkin)
    sa.event.listen(engine, "checkout", ping_if_idle)
