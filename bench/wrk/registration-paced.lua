-- The registrations of registration.lua at a set pace, for latency below saturation (bench/registration.py).
--
--   wrk -t2 -c16 -d10s -s bench/wrk/registration-paced.lua URL -- json PATH PREFIX "" "" PACE_MS
--
-- Each connection waits PACE_MS after every answer before its next request, so C connections
-- offer about C * 1000 / PACE_MS registrations a second whatever the server's speed: both
-- targets get the same load, and the latency measured is a request's, not a queue's.
-- A script of its own: wrk schedules a timer per request once a script defines delay(),
-- which the saturating runs must not pay.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "registration.lua")

function delay()
   return pace
end
